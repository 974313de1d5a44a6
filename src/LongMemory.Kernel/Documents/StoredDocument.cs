namespace LongMemory.Kernel;

/// <summary>A document linked to a session, as stored (the source of truth its index items are rebuilt from).</summary>
public sealed class StoredDocument
{
    /// <summary>Gets the owner.</summary>
    public required MemoryOwner Owner { get; init; }

    /// <summary>Gets the session the document is linked to.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets the app's id of the document (unique per session).</summary>
    public required string DocumentId { get; init; }

    /// <summary>Gets the title.</summary>
    public required string Title { get; init; }

    /// <summary>Gets the text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets when it was first imported.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when it was last imported.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
