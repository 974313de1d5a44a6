namespace LongMemory.ChatHost.Demo;

/// <summary>What one turn of the demo sent to the model.</summary>
internal sealed class DemoTurnRecord
{
    /// <summary>Gets the turn number (1-based, across sessions).</summary>
    public int Turn { get; init; }

    /// <summary>Gets the session number (1-based).</summary>
    public int Session { get; init; }

    /// <summary>Gets the tokens of the prompt the model received, counted with the memory's token counter.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Gets the prompt budget (context window minus the reserve for the answer).</summary>
    public int Budget { get; init; }

    /// <summary>Gets the number of messages of the session trimmed out of the live window (kept in the store, summarized).</summary>
    public int TrimmedMessages { get; init; }

    /// <summary>Gets the highest level of the session's active summaries (0: none; 2+: summaries of summaries).</summary>
    public int SummaryLevels { get; init; }

    /// <summary>Gets the number of current knowledge entries about the user.</summary>
    public int KnowledgeCount { get; init; }
}
