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

    /// <summary>
    /// Whether a stored message is a turn a prompt may replay: chat and tool messages, except answers marked
    /// <see cref="Incomplete"/>. Reports and stored system messages are not turns.
    /// </summary>
    internal static bool IsTurn(StoredMessage message)
        => message.MessageType is StoredMessageType.Chat or StoredMessageType.Tool
           && !(message.Metadata is { } metadata && metadata.TryGetValue(Incomplete, out var flag) && flag == "true");
}
