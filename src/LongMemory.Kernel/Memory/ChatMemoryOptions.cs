namespace LongMemory.Kernel;

/// <summary>Options of <see cref="ChatMemory"/>. Validated when the memory is created.</summary>
public sealed class ChatMemoryOptions
{
    /// <summary>Gets or sets when messages are indexed.</summary>
    /// <value>Default <see cref="IndexingMode.Inline"/>.</value>
    public IndexingMode IndexingMode { get; set; } = IndexingMode.Inline;

    /// <summary>Gets or sets the capacity of the background indexing queue.</summary>
    /// <remarks>Kept for configuration compatibility: the indexing outbox table is now the queue, so writers never wait for it.</remarks>
    /// <value>Default 256.</value>
    public int BackgroundQueueCapacity { get; set; } = 256;

    /// <summary>Gets or sets the maximum number of texts sent to the embedding generator in one call.</summary>
    /// <value>Default 64.</value>
    public int EmbeddingBatchSize { get; set; } = 64;

    /// <summary>Gets or sets the first retry delay after an indexing failure (doubled per attempt).</summary>
    /// <value>Default 2 seconds.</value>
    public TimeSpan IndexRetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the longest retry delay after indexing failures.</summary>
    /// <value>Default 5 minutes.</value>
    public TimeSpan IndexRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how many times indexing of one outbox entry is attempted before it is dead: no longer retried, counted
    /// in <see cref="IndexStatus.Dead"/> with its last error (its row stays stored).
    /// </summary>
    /// <value>Default 8 (with the default delays, about 4 minutes of retries).</value>
    public int IndexMaxAttempts { get; set; } = 8;

    /// <summary>Gets or sets the chunk size, in tokens, above which a message or document is split at sentence boundaries.</summary>
    /// <value>Default 256.</value>
    public int ChunkMaxTokens { get; set; } = 256;

    /// <summary>Gets or sets the cosine similarity at or above which a new model memory or summary updates an existing item instead of adding one.</summary>
    /// <value>Default 0.9.</value>
    public double NearDuplicateThreshold { get; set; } = 0.9;

    /// <summary>Gets or sets the factor applied to the scores of hits from the current session, so that it ranks above the user's other sessions.</summary>
    /// <value>Default 1.25.</value>
    public double CurrentSessionBoost { get; set; } = 1.25;

    /// <summary>The vector weight <see cref="DefaultVectorWeight"/> resolves to for the offline <see cref="HashingEmbeddingGenerator"/>.</summary>
    /// <remarks>
    /// The hashing embedder is a lexical signal weaker than the keyword (BM25) ranking: on LoCoMo-dev, vector-only recall@10
    /// is 0.36 against 0.55 for keywords only, and fusing it at weight 1 lowers recall; at this weight it only breaks
    /// ties and adds near-misses (inflections, typos) that keywords do not find.
    /// </remarks>
    public const double OfflineEmbedderVectorWeight = 0.25;

    /// <summary>
    /// Gets or sets the weight of the vector ranking, against a keyword weight of 1, used by recall when
    /// <see cref="RecallOptions.VectorWeight"/> is not set, and always by context assembly. <see langword="null"/>
    /// means automatic: <see cref="OfflineEmbedderVectorWeight"/> when the embedding generator is the offline
    /// <see cref="HashingEmbeddingGenerator"/> (found through <see cref="Microsoft.Extensions.AI.IEmbeddingGenerator.GetService"/>
    /// or its <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorMetadata.ProviderName"/>), otherwise 1 (a real
    /// embedding model carries meaning the keywords miss). The resolved value is <see cref="ChatMemory.DefaultVectorWeight"/>.
    /// </summary>
    /// <value>Default <see langword="null"/> (automatic). When set: 0 (keywords only) or more.</value>
    public double? DefaultVectorWeight { get; set; }

    /// <summary>Gets or sets a value indicating whether the offline pattern extractor runs on every new user message.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool CaptureKnowledgeOnEveryMessage { get; set; } = true;

    /// <summary>Gets or sets the reduction (summarization) settings.</summary>
    public HierarchicalChatReducerOptions Reduction { get; set; } = new();

    /// <summary>Gets or sets the context assembly settings.</summary>
    public ContextOptions Context { get; set; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Throw.IfLessThan(BackgroundQueueCapacity, 1, nameof(BackgroundQueueCapacity));
        Throw.IfLessThan(EmbeddingBatchSize, 1, nameof(EmbeddingBatchSize));
        Throw.IfLessThan(ChunkMaxTokens, 16, nameof(ChunkMaxTokens));
        Throw.IfOutOfRange(IndexMaxAttempts, 1, 1000, nameof(IndexMaxAttempts));
        Throw.IfOutOfRange(NearDuplicateThreshold, 0.5, 1.0, nameof(NearDuplicateThreshold));
        Throw.IfOutOfRange(CurrentSessionBoost, 1.0, 10.0, nameof(CurrentSessionBoost));
        if (DefaultVectorWeight is { } vectorWeight)
        {
            Throw.IfOutOfRange(vectorWeight, 0, 100, nameof(DefaultVectorWeight));
        }
        if (IndexRetryBaseDelay <= TimeSpan.Zero || IndexRetryMaxDelay < IndexRetryBaseDelay)
        {
            throw new ArgumentException("IndexRetryBaseDelay must be positive and IndexRetryMaxDelay at least as long.", nameof(IndexRetryBaseDelay));
        }

        Throw.IfNull(Reduction, nameof(Reduction));
        Throw.IfNull(Context, nameof(Context)).Validate();
    }
}
