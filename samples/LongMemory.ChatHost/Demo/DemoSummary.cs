namespace LongMemory.ChatHost.Demo;

/// <summary>The totals of a demo run.</summary>
internal sealed class DemoSummary
{
    /// <summary>Gets or sets the number of turns.</summary>
    public int Turns { get; set; }

    /// <summary>Gets or sets the number of sessions.</summary>
    public int Sessions { get; set; }

    /// <summary>Gets or sets the number of checks whose fact reached the prompt.</summary>
    public int ChecksRecalled { get; set; }

    /// <summary>Gets or sets the number of checks.</summary>
    public int ChecksTotal { get; set; }

    /// <summary>Gets or sets the largest prompt, in tokens.</summary>
    public int MaxPromptTokens { get; set; }

    /// <summary>Gets or sets the prompt budget.</summary>
    public int Budget { get; set; }

    /// <summary>Gets or sets the context window.</summary>
    public int MaxContextTokens { get; set; }

    /// <summary>Gets or sets the number of turns whose prompt exceeded the budget (must be 0).</summary>
    public int TurnsOverBudget { get; set; }

    /// <summary>Gets or sets the number of turns where the engine reported the context as trimmed.</summary>
    public int TurnsTrimmed { get; set; }

    /// <summary>Gets or sets the highest summary level reached.</summary>
    public int MaxSummaryLevel { get; set; }

    /// <summary>Gets or sets the messages stored (user and assistant).</summary>
    public int MessagesStored { get; set; }

    /// <summary>Gets or sets the wall time of the run, in milliseconds.</summary>
    public long WallMilliseconds { get; set; }

    /// <summary>Gets or sets the database file.</summary>
    public string? Database { get; set; }
}
