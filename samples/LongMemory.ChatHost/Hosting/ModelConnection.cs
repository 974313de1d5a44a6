using LongMemory.Kernel.Ollama;

namespace LongMemory.ChatHost.Hosting;

/// <summary>Whether a model server answers, and with what: the result of probing Ollama at start-up.</summary>
internal sealed class ModelConnection
{
    /// <summary>The largest context window the host uses by default, to keep local models fast.</summary>
    public const int DefaultMaxContextTokens = 8192;

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
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The connection (offline when no server or no chat model).</returns>
    public static async Task<ModelConnection> ProbeAsync(HostArguments args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var endpoint = args.OllamaUrl is null ? OllamaClientOptions.EndpointFromEnvironment() : OllamaClientOptions.ParseOllamaHost(args.OllamaUrl);
        var context = args.ContextTokens ?? DefaultMaxContextTokens;
        if (args.ForceOffline)
        {
            return Offline(endpoint, context, "--offline was given");
        }

        using var api = new OllamaApiClient(endpoint);
        if (!await api.IsAvailableAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return Offline(endpoint, context, $"no Ollama server answered at {endpoint}");
        }

        try
        {
            var model = args.Model;
            OllamaModelInfo? info = null;
            if (model is null)
            {
                foreach (var candidate in await api.ListModelsAsync(cancellationToken).ConfigureAwait(false))
                {
                    var candidateInfo = await api.ShowModelAsync(candidate, cancellationToken).ConfigureAwait(false);
                    var chatCapable = candidateInfo.Capabilities.Count == 0
                        ? !candidate.Contains("embed", StringComparison.OrdinalIgnoreCase)
                        : candidateInfo.HasCapability("completion");
                    if (chatCapable)
                    {
                        model = candidate;
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
                SupportsTools = info.Capabilities.Count == 0 || info.HasCapability("tools"),
                ContextTokens = args.ContextTokens ?? Math.Min(info.ContextLength ?? DefaultMaxContextTokens, DefaultMaxContextTokens),
            };
        }
        catch (OllamaException ex)
        {
            return Offline(endpoint, context, ex.Message);
        }
    }

    private static ModelConnection Offline(Uri endpoint, int context, string reason)
        => new() { Online = false, Endpoint = endpoint, ContextTokens = context, OfflineReason = reason };
}
