namespace LongMemory.Kernel;

/// <summary>When new messages are chunked, embedded and written to the memory index.</summary>
public enum IndexingMode
{
    /// <summary>Before the call that stored them returns (simple, deterministic; the caller pays the embedding latency).</summary>
    Inline = 0,

    /// <summary>
    /// By a background worker with a bounded queue that batches embedding calls. The store's outbox makes it durable:
    /// whatever was pending at a crash is indexed on the next start. Tests wait with <see cref="ChatMemory.WhenIdleAsync"/>.
    /// </summary>
    Background = 1,
}
