using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel.Ollama;

/// <summary>Server-level calls: is a server there, which version, which models, and how large a model's context window is.</summary>
public sealed class OllamaApiClient : IDisposable
{
    /// <summary>How long <see cref="IsAvailableAsync"/> waits by default: 2 seconds, enough for a local server and short for a start-up check.</summary>
    public static readonly TimeSpan DefaultAvailabilityTimeout = TimeSpan.FromSeconds(2);

    private readonly OllamaTransport _transport;

    /// <summary>Initializes a new instance of the <see cref="OllamaApiClient"/> class.</summary>
    /// <param name="options">The endpoint (other settings are not used here); copied and validated.</param>
    /// <param name="httpClient">The client to send with; when <see langword="null"/>, one is created and disposed with this instance.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public OllamaApiClient(OllamaClientOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        options = Prepare(options);
        var owned = httpClient is null ? OllamaTransport.CreateOwnedClient(options) : null;
        var client = httpClient ?? owned!;
        _transport = new OllamaTransport(() => client, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaApiClient>(), owned);
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaApiClient"/> class for a server.</summary>
    /// <param name="endpoint">The server, for example <c>http://localhost:11434</c>.</param>
    public OllamaApiClient(Uri endpoint)
        : this(new OllamaClientOptions { Endpoint = Throw.IfNull(endpoint) })
    {
    }

    internal OllamaApiClient(Func<HttpClient> httpClient, OllamaClientOptions options, ILoggerFactory? loggerFactory)
    {
        _transport = new OllamaTransport(httpClient, Prepare(options), (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaApiClient>());
    }

    /// <summary>Gets the server's base URL.</summary>
    public Uri Endpoint => _transport.Endpoint;

    /// <summary>Asks the server for its version (<c>GET /api/version</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, for example <c>0.12.10</c>.</returns>
    /// <exception cref="OllamaException">The server could not be reached or refused.</exception>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _transport.GetAsync("api/version", OllamaJsonContext.Default.OllamaVersionResponse, cancellationToken).ConfigureAwait(false);
        return answer.Version ?? throw new OllamaException($"The server at {_transport.Resolve("api/version")} did not report a version; is it an Ollama server?", null, null, _transport.Resolve("api/version"));
    }

    /// <summary>Checks quickly whether an Ollama server answers at the endpoint (<c>GET /api/version</c>).</summary>
    /// <param name="timeout">How long to wait; <see langword="null"/> means <see cref="DefaultAvailabilityTimeout"/> (2 seconds).</param>
    /// <param name="cancellationToken">Cancels the check (then <see cref="OperationCanceledException"/> is thrown, not <see langword="false"/>).</param>
    /// <returns><see langword="true"/> when a server answered with a version in time; <see langword="false"/> otherwise.</returns>
    public async Task<bool> IsAvailableAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? DefaultAvailabilityTimeout);
        try
        {
            await GetVersionAsync(limit.Token).ConfigureAwait(false);
            return true;
        }
        catch (OllamaException ex)
        {
            Log.NotAvailable(_transport.Logger, _transport.Endpoint, ex.Message);
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.NotAvailable(_transport.Logger, _transport.Endpoint, "no answer in time");
            return false;
        }
    }

    /// <summary>Lists the models the server has pulled (<c>GET /api/tags</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Model names such as <c>llama3.2:latest</c>.</returns>
    /// <exception cref="OllamaException">The server could not be reached or refused.</exception>
    public async Task<IReadOnlyList<string>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        var answer = await _transport.GetAsync("api/tags", OllamaJsonContext.Default.OllamaTagsResponse, cancellationToken).ConfigureAwait(false);
        return [.. (answer.Models ?? []).Select(m => m.Name ?? m.Model).OfType<string>()];
    }

    /// <summary>Reads what the server knows about a model (<c>POST /api/show</c>).</summary>
    /// <param name="model">The model, for example <c>llama3.2</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Architecture, context window, embedding size and capabilities.</returns>
    /// <exception cref="OllamaException">The model is not pulled (the message says how to pull it), or the server refused.</exception>
    public async Task<OllamaModelInfo> ShowModelAsync(string model, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhitespace(model);
        var answer = await _transport.PostAsync("api/show", new OllamaShowRequest { Model = model }, OllamaJsonContext.Default.OllamaShowRequest, OllamaJsonContext.Default.OllamaShowResponse, model, cancellationToken).ConfigureAwait(false);

        var info = answer.ModelInfo ?? [];
        var architecture = info.TryGetValue("general.architecture", out var arch) && arch.ValueKind == JsonValueKind.String ? arch.GetString() : null;
        return new OllamaModelInfo
        {
            Name = model,
            Architecture = architecture,
            TrainedContextLength = ReadInt(info, architecture, "context_length") ?? answer.Details?.ContextLength,
            EmbeddingLength = ReadInt(info, architecture, "embedding_length") ?? answer.Details?.EmbeddingLength,
            DefaultNumCtx = ReadNumCtx(answer.Parameters, isModelfile: false) ?? ReadNumCtx(answer.Modelfile, isModelfile: true),
            Family = answer.Details?.Family,
            ParameterSize = answer.Details?.ParameterSize,
            QuantizationLevel = answer.Details?.QuantizationLevel,
            Capabilities = answer.Capabilities ?? [],
        };
    }

    /// <summary>Gets the context window a prompt for the model can use, to default a token budget to it.</summary>
    /// <param name="model">The model, for example <c>llama3.2</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model's <c>num_ctx</c> parameter when set, otherwise its trained maximum; <see langword="null"/> when the server reports neither.</returns>
    /// <remarks>
    /// Without a <c>num_ctx</c> in the request or the Modelfile, the server runs the model with its own default window
    /// (4096 tokens with less than 24 GiB of VRAM), and silently drops the oldest part of a longer prompt. A budget taken
    /// from this method must therefore also be sent: set <see cref="OllamaClientOptions.ContextLength"/> to it.
    /// </remarks>
    /// <exception cref="OllamaException">The model is not pulled, or the server refused.</exception>
    public async Task<int?> GetContextLengthAsync(string model, CancellationToken cancellationToken = default)
    {
        var info = await ShowModelAsync(model, cancellationToken).ConfigureAwait(false);
        return info.ContextLength;
    }

    /// <inheritdoc />
    public void Dispose() => _transport.Dispose();

    private static OllamaClientOptions Prepare(OllamaClientOptions options)
    {
        var copy = Throw.IfNull(options).Clone();
        copy.Validate();
        return copy;
    }

    private static int? ReadInt(Dictionary<string, JsonElement> info, string? architecture, string suffix)
    {
        if (architecture is null || !info.TryGetValue(architecture + "." + suffix, out var value) || value.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        return value.TryGetInt32(out var number) ? number : (int)Math.Min(int.MaxValue, value.GetDouble());
    }

    /// <summary>Finds <c>num_ctx</c> in the parameters text (<c>num_ctx 8192</c> lines) or a Modelfile (<c>PARAMETER num_ctx 8192</c>).</summary>
    private static int? ReadNumCtx(string? text, bool isModelfile)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var rawLine in text.Split('\n'))
        {
            var parts = rawLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var offset = isModelfile ? 1 : 0;
            if (parts.Length < offset + 2 || (isModelfile && !parts[0].Equals("PARAMETER", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (parts[offset] == "num_ctx" && int.TryParse(parts[offset + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var numCtx) && numCtx > 0)
            {
                return numCtx;
            }
        }

        return null;
    }
}
