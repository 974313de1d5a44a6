namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>A conversation recorded in memory: its user, the scope of its last session and the message-to-turn map.</summary>
internal sealed record IngestedConversation(
    LocomoConversation Conversation,
    string UserId,
    MemoryScope LastSessionScope,
    IReadOnlyDictionary<long, string> DiaIdByMessageId,
    IReadOnlyList<(string DiaId, string Text)> Turns);
