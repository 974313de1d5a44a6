using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel.Ollama;

/// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over Ollama's batched <c>/api/embed</c>.</summary>
/// <remarks>
/// Inputs are sent in batches of <see cref="OllamaClientOptions.EmbeddingBatchSize"/>, one request at a time, and the
/// vectors come back in input order. The server L2-normalises every vector (after cutting it to <c>dimensions</c> when
/// asked). <see cref="EmbeddingGenerationOptions.Dimensions"/> overrides <see cref="OllamaClientOptions.EmbeddingDimensions"/>
/// per call, and <c>AdditionalProperties["truncate"]</c> overrides <see cref="OllamaClientOptions.TruncateEmbeddingInput"/>.
/// </remarks>
public sealed class OllamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const string EmbedPath = "api/embed";

    private readonly OllamaTransport _transport;
    private int _observedDimensions;

    /// <summary>Initializes a new instance of the <see cref="OllamaEmbeddingGenerator"/> class.</summary>
    /// <param name="options">Endpoint, embedding model, batch size; copied and validated here.</param>
    /// <param name="httpClient">
    /// The client to send with; its own <see cref="HttpClient.Timeout"/> applies. When <see langword="null"/>, a client with
    /// <see cref="OllamaClientOptions.Timeout"/> is created and disposed with this instance.
    /// </param>
    /// <param name="loggerFactory">Optional logging (counts and timings only).</param>
    public OllamaEmbeddingGenerator(OllamaClientOptions options, HttpClient? httpClient = null, ILoggerFactory? loggerFactory = null)
    {
        options = Prepare(options);
        var owned = httpClient is null ? OllamaTransport.CreateOwnedClient(options) : null;
        var client = httpClient ?? owned!;
        _transport = new OllamaTransport(() => client, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaEmbeddingGenerator>(), owned);
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaEmbeddingGenerator"/> class for a server and model.</summary>
    /// <param name="endpoint">The server, for example <c>http://localhost:11434</c>.</param>
    /// <param name="modelId">The embedding model, for example <c>nomic-embed-text</c>.</param>
    public OllamaEmbeddingGenerator(Uri endpoint, string modelId)
        : this(new OllamaClientOptions { Endpoint = Throw.IfNull(endpoint), EmbeddingModel = Throw.IfNullOrWhitespace(modelId) })
    {
    }

    internal OllamaEmbeddingGenerator(Func<HttpClient> httpClient, OllamaClientOptions options, ILoggerFactory? loggerFactory)
    {
        _transport = new OllamaTransport(httpClient, Prepare(options), (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OllamaEmbeddingGenerator>());
    }

    /// <summary>Gets the server's base URL.</summary>
    public Uri Endpoint => _transport.Endpoint;

    /// <summary>Gets the default embedding model, or <see langword="null"/> when every call must name one.</summary>
    public string? ModelId => _transport.Options.EmbeddingModel;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(values);
        var inputs = values as IReadOnlyList<string> ?? [.. values];
        var model = options?.ModelId ?? _transport.Options.EmbeddingModel
            ?? throw new InvalidOperationException("No Ollama embedding model was named: set EmbeddingGenerationOptions.ModelId or OllamaClientOptions.EmbeddingModel (for example \"nomic-embed-text\").");
        var dimensions = options?.Dimensions ?? _transport.Options.EmbeddingDimensions;
        if (dimensions is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), dimensions, "EmbeddingGenerationOptions.Dimensions must be at least 1 when set.");
        }

        var truncate = options?.AdditionalProperties?.TryGetValue("truncate", out bool t) == true ? t : _transport.Options.TruncateEmbeddingInput;
        var batchSize = _transport.Options.EmbeddingBatchSize;
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        long? inputTokens = null;
        var batches = 0;

        for (var start = 0; start < inputs.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, inputs.Count - start);
            var request = new OllamaEmbedRequest
            {
                Model = model,
                Input = [.. inputs.Skip(start).Take(count)],
                Truncate = truncate,
                Dimensions = dimensions,
                KeepAlive = _transport.KeepAlive(),
            };

            var answer = await _transport.PostAsync(EmbedPath, request, OllamaJsonContext.Default.OllamaEmbedRequest, OllamaJsonContext.Default.OllamaEmbedResponse, model, cancellationToken).ConfigureAwait(false);
            batches++;
            var vectors = answer.Embeddings ?? [];
            if (vectors.Count != count)
            {
                var url = _transport.Resolve(EmbedPath);
                throw new OllamaException($"The Ollama server at {url} returned {vectors.Count} embeddings for {count} inputs (model '{model}').", null, null, url);
            }

            var createdAt = DateTimeOffset.UtcNow;
            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector) { ModelId = answer.Model ?? model, CreatedAt = createdAt });
            }

            if (vectors.Count > 0 && dimensions is null && model == _transport.Options.EmbeddingModel)
            {
                _observedDimensions = vectors[0].Length;
            }

            if (answer.PromptEvalCount is int tokens)
            {
                inputTokens = (inputTokens ?? 0) + tokens;
            }
        }

        if (inputTokens is long total)
        {
            result.Usage = new UsageDetails { InputTokenCount = total, TotalTokenCount = total };
        }

        Log.Embedding(_transport.Logger, model, inputs.Count, batches);
        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="EmbeddingGeneratorMetadata.DefaultModelDimensions"/> is <see cref="OllamaClientOptions.EmbeddingDimensions"/> when set,
    /// otherwise the size of the last vector the default model returned, otherwise <see langword="null"/>.
    /// </remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        Throw.IfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            var observed = Volatile.Read(ref _observedDimensions);
            return new EmbeddingGeneratorMetadata("ollama", _transport.Endpoint, _transport.Options.EmbeddingModel, _transport.Options.EmbeddingDimensions ?? (observed > 0 ? observed : null));
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose() => _transport.Dispose();

    private static OllamaClientOptions Prepare(OllamaClientOptions options)
    {
        var copy = Throw.IfNull(options).Clone();
        copy.Validate();
        return copy;
    }
}
