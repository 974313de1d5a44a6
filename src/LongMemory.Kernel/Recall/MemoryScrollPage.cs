namespace LongMemory.Kernel;

/// <summary>One page of a scroll over a scope.</summary>
/// <param name="Items">The items of the page, ordered by id.</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> at the end.</param>
public sealed record MemoryScrollPage(IReadOnlyList<MemoryItem> Items, string? NextCursor);
