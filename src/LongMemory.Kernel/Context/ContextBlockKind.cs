namespace LongMemory.Kernel;

/// <summary>The labeled blocks of an assembled prompt, in prompt order.</summary>
public enum ContextBlockKind
{
    /// <summary>The app's system messages and the instructions.</summary>
    Instructions,

    /// <summary>Knowledge entries about the user.</summary>
    Knowledge,

    /// <summary>Curated model memory.</summary>
    ModelMemory,

    /// <summary>Relevant turns from earlier in this session (already trimmed) or other sessions.</summary>
    PastConversation,

    /// <summary>Chunks of documents linked to the session.</summary>
    Documents,

    /// <summary>The running summary (active summaries, oldest first).</summary>
    Summary,

    /// <summary>Messages restored from trimming.</summary>
    Restored,

    /// <summary>Recent turns, verbatim.</summary>
    RecentTurns,

    /// <summary>The new message(s) of this turn; never cut.</summary>
    NewMessages,
}
