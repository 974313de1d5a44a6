namespace LongMemory.Kernel;

/// <summary>A persistent fact about a user (key and value), with its provenance and validity period.</summary>
public sealed class KnowledgeEntry
{
    /// <summary>Gets or sets the entry id.</summary>
    public long Id { get; init; }

    /// <summary>Gets the owner: a user or an anonymous session.</summary>
    public required MemoryOwner Owner { get; init; }

    /// <summary>Gets or sets the session the fact was learned in.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets or sets the normalized key, for example <c>name</c>, <c>location</c> or <c>favorite_color</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Gets or sets the value.</summary>
    public required string Value { get; init; }

    /// <summary>Gets or sets the message the fact came from.</summary>
    public long? SourceMessageId { get; init; }

    /// <summary>Gets or sets the extractor's confidence, 0..1.</summary>
    public double Confidence { get; init; } = 1.0;

    /// <summary>Gets or sets when the fact became valid.</summary>
    public DateTimeOffset ValidFrom { get; init; }

    /// <summary>Gets or sets when the fact stopped being valid (superseded or forgotten).</summary>
    public DateTimeOffset? ValidTo { get; set; }

    /// <summary>Gets or sets the entry that replaced this one.</summary>
    public long? SupersededBy { get; set; }

    /// <summary>Gets or sets when the entry was stored.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets or sets when the fact was forgotten; its value is erased then (the row only records that it was forgotten).</summary>
    public DateTimeOffset? ForgottenAt { get; init; }

    /// <summary>Gets a value indicating whether the fact is current.</summary>
    public bool IsCurrent => ValidTo is null;

    /// <summary>Gets a value indicating whether the fact was forgotten (see <see cref="ForgottenAt"/>).</summary>
    public bool IsForgotten => ForgottenAt is not null;
}
