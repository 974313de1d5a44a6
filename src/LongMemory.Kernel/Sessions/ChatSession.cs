namespace LongMemory.Kernel;

/// <summary>A stored conversation.</summary>
public sealed class ChatSession
{
    /// <summary>Gets or sets the session id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the owner: the user, or the anonymous session itself. Session ids are unique per owner.</summary>
    public required MemoryOwner Owner { get; init; }

    /// <summary>Gets the owning user, or <see langword="null"/> for an anonymous session.</summary>
    public string? UserId => Owner.UserId;

    /// <summary>Gets or sets the title (derived from the first user message when none was given).</summary>
    public string? Title { get; set; }

    /// <summary>Gets or sets when the session was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets or sets when the session last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets a value indicating whether the session is active (<see langword="false"/> once soft-deleted).</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Gets or sets the number of stored messages.</summary>
    public int MessageCount { get; set; }

    /// <summary>Gets or sets the total tokens recorded for the session's messages.</summary>
    public long TokensUsed { get; set; }

    /// <summary>Gets or sets free-form metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; set; }

    /// <summary>Gets the scope of this session.</summary>
    public MemoryScope Scope => new(UserId, Id);
}
