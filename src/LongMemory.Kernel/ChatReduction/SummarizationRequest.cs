using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>What a <see cref="ISummarizer"/> condenses: a block of messages (level 1) or summaries of the level below (level 2+).</summary>
public sealed class SummarizationRequest
{
    /// <summary>Gets the level of the summary to produce (1 = covers messages).</summary>
    /// <value>Default 1.</value>
    public int Level { get; init; } = 1;

    /// <summary>Gets the messages to condense (level 1).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    /// <summary>Gets the child summaries to condense, oldest first (level 2+).</summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<string> ChildSummaries { get; init; } = [];

    /// <summary>Gets the maximum length of the summary in tokens, measured with the configured <see cref="ITokenCounter"/>.</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Gets the most recent earlier summary, as context only (it is not to be repeated), or <see langword="null"/>.</summary>
    public string? PreviousSummary { get; init; }
}
