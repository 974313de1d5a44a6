namespace LongMemory.Kernel;

/// <summary>Counts of the indexing outbox (every kind of item: messages, summaries, knowledge, model memory, documents).</summary>
/// <param name="Pending">Entries waiting to be indexed (new, or in flight).</param>
/// <param name="Indexed">Messages in the index (messages only: other kinds leave no trace once indexed).</param>
/// <param name="Failed">Entries whose last attempt failed; they are retried with back-off.</param>
/// <param name="Dead">Entries that failed <see cref="ChatMemoryOptions.IndexMaxAttempts"/> times; no longer retried.</param>
/// <param name="LastError">The most recent indexing error of a failed or dead entry, if any.</param>
public sealed record IndexStatus(int Pending, int Indexed, int Failed, int Dead, string? LastError)
{
    /// <summary>Gets a value indicating whether nothing is waiting, failed or dead.</summary>
    public bool IsClean => Pending == 0 && Failed == 0 && Dead == 0;
}
