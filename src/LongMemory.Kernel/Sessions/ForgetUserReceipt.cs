namespace LongMemory.Kernel;

/// <summary>What <see cref="ChatMemory.ForgetUserAsync"/> removed, per store.</summary>
/// <remarks>
/// Counts are of rows and index items deleted. Indexing outbox entries of the SQLite store live on the message rows, so
/// they go with <see cref="Messages"/>.
/// </remarks>
public sealed record ForgetUserReceipt
{
    /// <summary>Gets the user that was forgotten.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the number of sessions deleted (soft-deleted ones included).</summary>
    public int Sessions { get; init; }

    /// <summary>Gets the number of messages deleted (with their indexing outbox state).</summary>
    public int Messages { get; init; }

    /// <summary>Gets the number of summaries deleted.</summary>
    public int Summaries { get; init; }

    /// <summary>Gets the number of knowledge entries deleted (current, history and forgotten markers).</summary>
    public int KnowledgeEntries { get; init; }

    /// <summary>Gets the number of model memory entries deleted (forgotten markers included).</summary>
    public int ModelMemoryEntries { get; init; }

    /// <summary>Gets the number of index items deleted, every collection (messages, summaries, knowledge, model memory, documents).</summary>
    public long IndexItems { get; init; }

    /// <summary>Gets when the user was forgotten.</summary>
    public DateTimeOffset CompletedAt { get; init; }
}
