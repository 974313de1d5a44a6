using LongMemory.Kernel.Ollama;
using OllamaSharp;

namespace LongMemory.ChatHost.Hosting;

/// <summary>Whether a model server answers, and with what: the result of probing Ollama at start-up.</summary>
internal sealed class ModelConnection
{
    /// <summary>The largest context window the host uses by default, to keep local models fast.</summary>
    public const int DefaultMaxContextTokens = 8192;

    /// <summary>How long the start-up probe waits for a server: 2 seconds, enough for a local one.</summary>
    public static readonly TimeSpan AvailabilityTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Gets a value indicating whether a chat model is available.</summary>
    public bool Online { get; private init; }

    /// <summary>Gets the Ollama endpoint probed.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Gets the chat model.</summary>
    public string? Model { get; private init; }

    /// <summary>Gets a value indicating whether the model supports tool calling.</summary>
    public bool SupportsTools { get; private init; }

    /// <summary>Gets the context window to assemble prompts for (and to send as num_ctx).</summary>
    public int ContextTokens { get; private init; } = DefaultMaxContextTokens;

    /// <summary>Gets why the host is offline, for the banner.</summary>
    public string? OfflineReason { get; private init; }

    /// <summary>Probes Ollama as the arguments say.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="timeProvider">The clock of <see cref="AvailabilityTimeout"/> (the system clock when <see langword="null"/>).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The connection (offline when no server or no chat model).</returns>
    public static async Task<ModelConnection> ProbeAsync(HostArguments args, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var endpoint = args.OllamaUrl is null ? OllamaClientOptions.EndpointFromEnvironment() : OllamaClientOptions.ParseOllamaHost(args.OllamaUrl);
        var context = args.ContextTokens ?? DefaultMaxContextTokens;
        if (args.ForceOffline)
        {
            return Offline(endpoint, context, "--offline was given");
        }

        using var api = new OllamaApiClient(endpoint);
        if (!await IsAvailableAsync(api, timeProvider ?? TimeProvider.System, cancellationToken).ConfigureAwait(false))
        {
            return Offline(endpoint, context, $"no Ollama server answered at {endpoint}");
        }

        try
        {
            var model = args.Model;
            OllamaSharp.Models.ShowModelResponse? info = null;
            if (model is null)
            {
                foreach (var candidate in await api.ListLocalModelsAsync(cancellationToken).ConfigureAwait(false))
                {
                    var candidateInfo = await api.ShowModelAsync(candidate.Name, cancellationToken).ConfigureAwait(false);
                    var chatCapable = candidateInfo.Capabilities is not { Length: > 0 } capabilities
                        ? !candidate.Name.Contains("embed", StringComparison.OrdinalIgnoreCase)
                        : capabilities.Contains("completion", StringComparer.OrdinalIgnoreCase);
                    if (chatCapable)
                    {
                        model = candidate.Name;
                        info = candidateInfo;
                        break;
                    }
                }

                if (model is null)
                {
                    return Offline(endpoint, context, $"the Ollama server at {endpoint} has no chat model (try: ollama pull llama3.2)");
                }
            }

            info ??= await api.ShowModelAsync(model, cancellationToken).ConfigureAwait(false);
            return new ModelConnection
            {
                Online = true,
                Endpoint = endpoint,
                Model = model,
                SupportsTools = info.Capabilities is not { Length: > 0 } || info.Capabilities.Contains("tools", StringComparer.OrdinalIgnoreCase),
                ContextTokens = args.ContextTokens ?? Math.Min(OllamaContextWindow.FromShowModelResponse(info) ?? DefaultMaxContextTokens, DefaultMaxContextTokens),
            };
        }
        catch (HttpRequestException ex)
        {
            var hint = ex.StatusCode == System.Net.HttpStatusCode.NotFound && args.Model is not null ? $" (is the model pulled? try: ollama pull {args.Model})" : string.Empty;
            return Offline(endpoint, context, ex.Message + hint);
        }
    }

    private static async Task<bool> IsAvailableAsync(OllamaApiClient api, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(AvailabilityTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await api.GetVersionAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static ModelConnection Offline(Uri endpoint, int context, string reason)
        => new() { Online = false, Endpoint = endpoint, ContextTokens = context, OfflineReason = reason };
}
