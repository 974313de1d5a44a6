namespace LongMemory.Kernel;

/// <summary>What one reduction of a stored session did.</summary>
public sealed class ReductionResult
{
    /// <summary>Gets a value indicating whether a reduction round ran (the session was over the threshold, or it was forced).</summary>
    public bool Reduced { get; init; }

    /// <summary>Gets the number of summaries created per level (level 1 = block summaries).</summary>
    public IReadOnlyDictionary<int, int> SummariesCreatedByLevel { get; init; } = new Dictionary<int, int>();

    /// <summary>Gets the total number of summaries created.</summary>
    public int SummariesCreated => SummariesCreatedByLevel.Values.Sum();

    /// <summary>Gets the number of messages newly summarized and marked trimmed.</summary>
    public int MessagesTrimmed { get; init; }

    /// <summary>Gets the number of restored messages trimmed again without being summarized again.</summary>
    public int MessagesRetrimmed { get; init; }

    /// <summary>Gets the number of summarizer calls made.</summary>
    public int SummarizationCalls { get; init; }

    /// <summary>Gets the live context size (system messages, active summaries, live messages) before the round, in tokens.</summary>
    public int TokensBefore { get; init; }

    /// <summary>Gets the live context size after the round, in tokens.</summary>
    public int TokensAfter { get; init; }

    /// <summary>Gets the number of live (non-system, untrimmed) messages after the round.</summary>
    public int LiveMessagesAfter { get; init; }

    /// <summary>Gets the number of knowledge facts recorded after the round.</summary>
    public int FactsCaptured { get; init; }

    /// <summary>Gets the error text of a failed knowledge capture (the reduction itself succeeded), or <see langword="null"/>.</summary>
    public string? KnowledgeCaptureError { get; init; }
}
