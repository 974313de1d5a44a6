namespace LongMemory.Kernel;

/// <summary>What the writer of an indexing outbox entry did to its source row.</summary>
/// <remarks>
/// The indexer does not trust the operation blindly: it always loads the source row as it is now and makes the index
/// match it (an upsert whose row is gone deletes; a delete whose row exists again indexes it), so replays are idempotent.
/// </remarks>
public enum IndexOperation
{
    /// <summary>The row was created or changed.</summary>
    Upsert = 0,

    /// <summary>The row was deleted, closed or forgotten.</summary>
    Delete = 1,
}
