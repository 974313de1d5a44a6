namespace LongMemory.Kernel;

/// <summary>
/// What recall needs from the indexing side, without depending on it: the memory started (the embedding model checked
/// against the index, the outbox recovered) and query vectors from the embedder the index was built with.
/// </summary>
internal interface IQueryEmbedder
{
    /// <summary>Starts the memory once (idempotent); later calls return at once.</summary>
    Task EnsureStartedAsync(CancellationToken cancellationToken);

    /// <summary>Embeds a query.</summary>
    Task<ReadOnlyMemory<float>> EmbedQueryAsync(string text, CancellationToken cancellationToken);
}
