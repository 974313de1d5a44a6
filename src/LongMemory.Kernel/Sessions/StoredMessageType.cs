namespace LongMemory.Kernel;

/// <summary>What kind of message a stored message is.</summary>
public enum StoredMessageType
{
    /// <summary>An ordinary chat turn (user, assistant or tool).</summary>
    Chat = 0,

    /// <summary>A session report generated from summaries and knowledge.</summary>
    Report = 1,

    /// <summary>A system message.</summary>
    System = 2,

    /// <summary>A tool call or tool result.</summary>
    Tool = 3,
}
