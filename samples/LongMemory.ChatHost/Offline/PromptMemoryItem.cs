namespace LongMemory.ChatHost.Offline;

/// <summary>One <c>&lt;memory&gt;</c> element of a memory block, as the model received it.</summary>
/// <param name="Id">The item id (<c>kn:location</c>, <c>summary:3</c>, an index item id...).</param>
/// <param name="Source">Where it came from (<c>knowledge</c>, <c>this conversation</c>, <c>summary level 1</c>...).</param>
/// <param name="Date">The date attribute, if any.</param>
/// <param name="Role">The role of a recalled message, if any.</param>
/// <param name="Relevance">The relevance attribute, if any.</param>
/// <param name="Text">The recalled text, unescaped.</param>
internal sealed record PromptMemoryItem(string Id, string Source, string? Date, string? Role, string? Relevance, string Text);
