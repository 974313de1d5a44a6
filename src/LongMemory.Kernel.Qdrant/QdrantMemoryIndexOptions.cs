using System.Globalization;

namespace LongMemory.Kernel.Qdrant;

/// <summary>Options of <see cref="QdrantMemoryIndex"/>. Validated when the index is created.</summary>
public sealed class QdrantMemoryIndexOptions
{
    /// <summary>The default REST endpoint of a local Qdrant.</summary>
    public static readonly Uri DefaultEndpoint = new("http://localhost:6333/");

    /// <summary>Gets or sets the Qdrant REST endpoint (scheme, host, port and an optional base path).</summary>
    /// <value>Default <c>http://localhost:6333/</c>.</value>
    public Uri Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>Gets or sets the API key, sent as the <c>api-key</c> header; <see langword="null"/> for an open server.</summary>
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

    /// <summary>Gets or sets where BM25 sparse vectors are computed.</summary>
    /// <value>Default <see cref="QdrantServerSideBm25.Auto"/>.</value>
    public QdrantServerSideBm25 UseServerSideBm25 { get; set; } = QdrantServerSideBm25.Auto;

    /// <summary>Gets or sets BM25's term-frequency saturation k1 (client-side vectors, and passed to the server's BM25).</summary>
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

    /// <summary>Gets or sets how often a request is retried after HTTP 429/503, a timeout or a connection failure.</summary>
    /// <value>Default 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the first back-off delay; it doubles with every retry. A <c>Retry-After</c> header wins.</summary>
    /// <value>Default 200 ms.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest wait before a retry (also caps a server's <c>Retry-After</c>).</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the timeout of one HTTP attempt.</summary>
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
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{nameof(Endpoint)} must be an absolute http or https URI, for example http://localhost:6333.", nameof(Endpoint));
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

        if (!Enum.IsDefined(UseServerSideBm25))
        {
            throw new ArgumentException($"{nameof(UseServerSideBm25)} has an unknown value {UseServerSideBm25}.", nameof(UseServerSideBm25));
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

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(30))
        {
            throw new ArgumentException($"{nameof(RequestTimeout)} must be positive and at most 30 minutes; got {RequestTimeout}.", nameof(RequestTimeout));
        }
    }

    /// <summary>Copies the options, so that later changes to the caller's instance do not affect a running index.</summary>
    internal QdrantMemoryIndexOptions Clone() => (QdrantMemoryIndexOptions)MemberwiseClone();
}
