namespace LongMemory.Kernel;

/// <summary>One searchable item of a memory index (a message chunk, a summary, a model memory, a fact, a document chunk).</summary>
public sealed class MemoryItem
{
    /// <summary>Gets or sets the item id, stable for the same content (so upserts are idempotent), for example <c>msg:42:0</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets or sets the collection (<see cref="MemoryCollections"/>).</summary>
    public required string Collection { get; init; }

    /// <summary>Gets or sets the owner key (<see cref="MemoryOwner.Key"/>). Every read filters on it.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets or sets the session the item belongs to, if any.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets or sets the item type, for example <c>message</c>, <c>summary</c>, <c>memory</c>, <c>fact</c>, <c>document</c>.</summary>
    public string Type { get; init; } = "message";

    /// <summary>Gets or sets the text that is keyword-indexed and returned.</summary>
    public required string Text { get; init; }

    /// <summary>Gets or sets the embedding of <see cref="Text"/> (empty when the item is keyword-only).</summary>
    public ReadOnlyMemory<float> Vector { get; init; }

    /// <summary>Gets or sets when the underlying content was created (used by time-range filters).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Gets or sets extra string fields kept with the item: <c>message_id</c>, <c>conversation_id</c>, <c>response_id</c>,
    /// <c>chunk_index</c>, <c>chunk_count</c>, <c>role</c>, <c>content_hash</c>, ...
    /// </summary>
    public IReadOnlyDictionary<string, string> Payload { get; init; } = new Dictionary<string, string>();
}
