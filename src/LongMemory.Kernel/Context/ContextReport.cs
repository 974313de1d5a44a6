using System.Text.Json;
using System.Text.Json.Serialization;

namespace LongMemory.Kernel;

/// <summary>
/// What the memory put into a prompt and why: budget, tokens per block, included items with scores, summary and
/// trimming state, knowledge used and timings. JSON-serialisable; attached to each response under
/// <see cref="AdditionalPropertiesKey"/> so an app can show a "context trimmed" badge and a memory panel.
/// </summary>
public sealed class ContextReport
{
    /// <summary>The key of the report in <c>ChatResponse.AdditionalProperties</c> (and the first streaming update's).</summary>
    public const string AdditionalPropertiesKey = "longmemory.context_report";

    /// <summary>Gets the session id.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the model's context window.</summary>
    public int MaxContextTokens { get; init; }

    /// <summary>Gets the tokens reserved for the answer.</summary>
    public int ReservedOutputTokens { get; init; }

    /// <summary>Gets the prompt budget (window minus reserved output).</summary>
    public int Budget { get; init; }

    /// <summary>Gets the tokens of the assembled prompt, counted with the configured counter.</summary>
    public int TotalTokens { get; init; }

    /// <summary>Gets a value indicating whether the prompt is within the budget.</summary>
    public bool BudgetOk => TotalTokens <= Budget;

    /// <summary>Gets the blocks.</summary>
    public IReadOnlyList<ContextBlockReport> Blocks { get; init; } = [];

    /// <summary>Gets the recalled and summary items included.</summary>
    public IReadOnlyList<ContextItemReport> IncludedItems { get; init; } = [];

    /// <summary>Gets a value indicating whether a running summary is in the prompt.</summary>
    public bool SummaryIncluded { get; init; }

    /// <summary>Gets the number of the session's messages that are trimmed (summarized, restorable).</summary>
    public int TrimmedCount { get; init; }

    /// <summary>Gets a value indicating whether the prompt leaves out part of the conversation (trimmed messages or dropped recent turns).</summary>
    public bool ContextTrimmed { get; init; }

    /// <summary>Gets the knowledge keys included.</summary>
    public IReadOnlyList<string> KnowledgeUsed { get; init; } = [];

    /// <summary>Gets a value indicating whether reduction ran during this turn.</summary>
    public bool Reduced { get; init; }

    /// <summary>
    /// Gets the indexing outbox counts of the session (pending, failed, dead, last error), so an app can show that some of
    /// its memory is not searchable yet; <see langword="null"/> when not measured.
    /// </summary>
    [JsonInclude]
    public IndexStatus? Indexing { get; internal set; }

    /// <summary>Gets the timings.</summary>
    public ContextTimings Timings { get; init; } = new(0, 0, 0);

    /// <summary>Serializes the report to JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, LongMemoryJsonContext.Default.ContextReport);

    /// <summary>Reads a report from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The report.</returns>
    public static ContextReport FromJson(string json)
        => JsonSerializer.Deserialize(Throw.IfNullOrWhitespace(json), LongMemoryJsonContext.Default.ContextReport)
           ?? throw new JsonException("The JSON holds no context report.");
}
