namespace LongMemory.Kernel;

/// <summary>A recalled piece of memory with where it came from.</summary>
public sealed class RecallHit
{
    /// <summary>Gets the best-scoring index item of the hit (for a message, its best chunk).</summary>
    public required MemoryItem Item { get; init; }

    /// <summary>Gets the score used for ranking: the fused score times the current-session boost where it applies.</summary>
    public required double Score { get; init; }

    /// <summary>Gets the cosine similarity of the hit's best item to the query, when a vector search ran.</summary>
    public double? VectorSimilarity { get; init; }

    /// <summary>Gets the 1-based keyword (BM25) rank of the hit's best item, or <see langword="null"/> when keywords did not find it.</summary>
    public int? KeywordRank { get; init; }

    /// <summary>Gets a value indicating whether the hit comes from the scope's own session.</summary>
    public bool FromCurrentSession { get; init; }

    /// <summary>Gets the message id for conversation-log hits.</summary>
    public long? MessageId { get; init; }

    /// <summary>Gets the whole message text for conversation-log hits (all chunks reassembled), else the item text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the role for message hits.</summary>
    public string? Role { get; init; }

    /// <summary>Gets the neighbouring messages requested with <see cref="RecallOptions.NeighborTurns"/>, in order, the hit included.</summary>
    public IReadOnlyList<StoredMessage> Neighbors { get; init; } = [];
}
