namespace LongMemory.Kernel;

/// <summary>The metadata keys the chat middleware writes on the messages it stores.</summary>
public static class TurnMetadata
{
    /// <summary>The key of the idempotency key: storing a message whose key the session already holds is a no-op.</summary>
    public const string IdempotencyKey = "longmemory.idempotency_key";

    /// <summary>
    /// The key marking an answer that was cut short (the consumer stopped reading, the stream failed or the caller
    /// cancelled): value <c>"true"</c>. Such an answer is kept in the store but left out of later prompts.
    /// </summary>
    public const string Incomplete = "longmemory.incomplete";
}
