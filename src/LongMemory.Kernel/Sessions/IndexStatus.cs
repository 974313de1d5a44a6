namespace LongMemory.Kernel;

/// <summary>Counts of the indexing outbox.</summary>
/// <param name="Pending">Messages waiting to be indexed.</param>
/// <param name="Indexed">Messages in the index.</param>
/// <param name="Failed">Messages whose last attempt failed (they are retried with back-off).</param>
/// <param name="LastError">The most recent indexing error, if any.</param>
public sealed record IndexStatus(int Pending, int Indexed, int Failed, string? LastError);
