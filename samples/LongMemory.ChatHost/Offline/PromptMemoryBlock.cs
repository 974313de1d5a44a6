namespace LongMemory.ChatHost.Offline;

/// <summary>A labeled memory block of an assembled prompt (a system message starting with <c>[Memory: label]</c>).</summary>
/// <param name="Label">The label, e.g. "Knowledge about the user".</param>
/// <param name="Items">The recalled items, in prompt order.</param>
internal sealed record PromptMemoryBlock(string Label, IReadOnlyList<PromptMemoryItem> Items);
