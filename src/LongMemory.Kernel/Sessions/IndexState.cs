namespace LongMemory.Kernel;

/// <summary>The indexing outbox state of a stored message.</summary>
public enum IndexState
{
    /// <summary>Stored, not yet indexed (or waiting for a retry).</summary>
    Pending = 0,

    /// <summary>Chunked, embedded and in the memory index.</summary>
    Indexed = 1,

    /// <summary>Indexing failed; <see cref="StoredMessage.IndexError"/> says why. It is retried with back-off.</summary>
    Failed = 2,
}
