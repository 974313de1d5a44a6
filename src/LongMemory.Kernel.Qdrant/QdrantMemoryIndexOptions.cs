using System.Globalization;

namespace LongMemory.Kernel.Qdrant;

/// <summary>Options of <see cref="QdrantMemoryIndex"/>. Validated when the index is created.</summary>
public sealed class QdrantMemoryIndexOptions
{
    /// <summary>The default gRPC endpoint of a local Qdrant.</summary>
    public static readonly Uri DefaultEndpoint = new("http://localhost:6334/");

    /// <summary>
    /// Gets or sets the Qdrant gRPC endpoint: scheme, host and gRPC port (6334 by default; the REST port 6333 does not
    /// speak gRPC). <c>http</c> uses HTTP/2 without TLS, <c>https</c> uses TLS.
    /// </summary>
    /// <value>Default <c>http://localhost:6334/</c>.</value>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key, sent as the <c>api-key</c> metadata of every call; <see langword="null"/> for an open server.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the prefix of the four collection names (<c>{prefix}logs</c>, <c>{prefix}model_memory</c>,
    /// <c>{prefix}knowledge</c>, <c>{prefix}documents</c>). Letters, digits, <c>_</c> and <c>-</c> only.
    /// </summary>
    /// <value>Default <c>longmemory_</c>.</value>
    public string CollectionPrefix { get; set; } = "longmemory_";

    /// <summary>
    /// Gets or sets the dense vector size the collections are created with. When <see langword="null"/>, the size
    /// given to <see cref="IMemoryIndex.EnsureEmbeddingModelAsync"/> (or of the first vector written) is used.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public int? VectorSize { get; set; }

    /// <summary>
    /// Gets or sets the distance of the dense vectors: <c>Cosine</c>, or <c>Dot</c> for embedders that already
    /// normalise their vectors. <see cref="MemoryHit.VectorSimilarity"/> is the cosine similarity either way.
    /// </summary>
    /// <value>Default <c>Cosine</c>.</value>
    public string Distance { get; set; } = "Cosine";

    /// <summary>Gets or sets BM25's term-frequency saturation k1 of the client-side sparse vectors.</summary>
    /// <value>Default 1.2.</value>
    public double Bm25K1 { get; set; } = 1.2;

    /// <summary>Gets or sets BM25's length normalisation b, 0..1.</summary>
    /// <value>Default 0.75.</value>
    public double Bm25B { get; set; } = 0.75;

    /// <summary>Gets or sets the expected average item length in tokens, for BM25's length normalisation.</summary>
    /// <value>Default 256 (Qdrant's own default).</value>
    public double Bm25AverageLength { get; set; } = 256;

    /// <summary>Gets or sets how many points one upsert request carries.</summary>
    /// <value>Default 64.</value>
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// Gets or sets how often a call is retried after <c>UNAVAILABLE</c> (server down or restarting, connection
    /// refused), <c>RESOURCE_EXHAUSTED</c> (rate limit) or an attempt that timed out. Every call the index makes is
    /// idempotent (deterministic point ids), so writes are retried too.
    /// </summary>
    /// <value>Default 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the median first back-off delay; exponential with jitter (Polly's decorrelated jitter).</summary>
    /// <value>Default 200 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest wait before a retry.</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the timeout of one call attempt (measured on the index's <see cref="TimeProvider"/>).</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the Qdrant collection name of a memory collection.</summary>
    /// <param name="collection">The memory collection (<see cref="MemoryCollections"/>).</param>
    /// <returns>The Qdrant collection name.</returns>
    public string CollectionName(string collection) => CollectionPrefix + MemoryCollections.Validate(collection);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps) || Endpoint.AbsolutePath != "/")
        {
            throw new ArgumentException($"{nameof(Endpoint)} must be an absolute http or https URI of Qdrant's gRPC port with no path, for example http://localhost:6334.", nameof(Endpoint));
        }

        if (ApiKey is not null && string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException($"{nameof(ApiKey)} must be null or a non-empty key.", nameof(ApiKey));
        }

        if (CollectionPrefix is null || CollectionPrefix.Length > 200 || !CollectionPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"{nameof(CollectionPrefix)} must be at most 200 letters, digits, '_' or '-'; got '{CollectionPrefix}'.", nameof(CollectionPrefix));
        }

        if (VectorSize is < 1 or > 65536)
        {
            throw new ArgumentException($"{nameof(VectorSize)} must be null or between 1 and 65536; got {VectorSize}.", nameof(VectorSize));
        }

        if (Distance is not ("Cosine" or "Dot"))
        {
            throw new ArgumentException($"{nameof(Distance)} must be 'Cosine' or 'Dot'; got '{Distance}'.", nameof(Distance));
        }

        if (!(Bm25K1 > 0 && Bm25K1 <= 10))
        {
            throw new ArgumentException($"{nameof(Bm25K1)} must be in (0, 10]; got {Bm25K1.ToString(CultureInfo.InvariantCulture)}.", nameof(Bm25K1));
        }

        if (!(Bm25B >= 0 && Bm25B <= 1))
        {
            throw new ArgumentException($"{nameof(Bm25B)} must be in [0, 1]; got {Bm25B.ToString(CultureInfo.InvariantCulture)}.", nameof(Bm25B));
        }

        if (!(Bm25AverageLength >= 1 && Bm25AverageLength <= 1_000_000))
        {
            throw new ArgumentException($"{nameof(Bm25AverageLength)} must be in [1, 1000000]; got {Bm25AverageLength.ToString(CultureInfo.InvariantCulture)}.", nameof(Bm25AverageLength));
        }

        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentException($"{nameof(BatchSize)} must be between 1 and 10000; got {BatchSize}.", nameof(BatchSize));
        }

        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentException($"{nameof(MaxRetries)} must be between 0 and 10; got {MaxRetries}.", nameof(MaxRetries));
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > MaxRetryDelay)
        {
            throw new ArgumentException($"{nameof(RetryBaseDelay)} must be between zero and {nameof(MaxRetryDelay)} ({MaxRetryDelay}); got {RetryBaseDelay}.", nameof(RetryBaseDelay));
        }

        if (MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"{nameof(MaxRetryDelay)} must be at most 10 minutes; got {MaxRetryDelay}.", nameof(MaxRetryDelay));
        }

        if (RequestTimeout < TimeSpan.FromMilliseconds(10) || RequestTimeout > TimeSpan.FromMinutes(30))
        {
            throw new ArgumentException($"{nameof(RequestTimeout)} must be between 10 ms and 30 minutes; got {RequestTimeout}.", nameof(RequestTimeout));
        }
    }

    /// <summary>Copies the options, so that later changes to the caller's instance do not affect a running index.</summary>
    internal QdrantMemoryIndexOptions Clone() => (QdrantMemoryIndexOptions)MemberwiseClone();
}
