namespace LongMemory.Kernel;

/// <summary>An item of curated model memory: something the model (or the app) chose to remember about a user.</summary>
public sealed class ModelMemoryEntry
{
    /// <summary>Gets or sets the entry id.</summary>
    public long Id { get; init; }

    /// <summary>Gets the owner: a user or an anonymous session.</summary>
    public required MemoryOwner Owner { get; init; }

    /// <summary>Gets or sets the session it was saved (or last updated) in; soft-deleting that session hides it, hard-deleting it removes it.</summary>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets the remembered content.</summary>
    public required string Content { get; set; }

    /// <summary>Gets or sets an optional category (preference, fact, task, ...).</summary>
    public string? Category { get; set; }

    /// <summary>Gets or sets the importance, 0..1.</summary>
    public double Importance { get; set; } = 0.5;

    /// <summary>Gets or sets who wrote it (<c>model</c>, <c>app</c>, ...).</summary>
    public string Source { get; init; } = "model";

    /// <summary>Gets or sets when it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets or sets when it was last updated.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Gets or sets when it was forgotten, if it was.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
}
