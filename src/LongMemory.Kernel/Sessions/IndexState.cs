namespace LongMemory.Kernel;

/// <summary>The indexing state of a stored message (a mirror of its indexing outbox entry).</summary>
public enum IndexState
{
    /// <summary>Stored, not yet indexed (or waiting for a retry).</summary>
    Pending = 0,

    /// <summary>Chunked, embedded and in the memory index.</summary>
    Indexed = 1,

    /// <summary>Indexing failed; <see cref="StoredMessage.IndexError"/> says why. It is retried with back-off.</summary>
    Failed = 2,

    /// <summary>Indexing failed <see cref="ChatMemoryOptions.IndexMaxAttempts"/> times; it is no longer retried.</summary>
    Dead = 3,
}
