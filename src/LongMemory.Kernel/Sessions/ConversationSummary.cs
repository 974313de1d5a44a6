namespace LongMemory.Kernel;

/// <summary>
/// A summary of part of a session: level 1 covers a block of messages, level 2 and above cover summaries of the level below.
/// </summary>
public sealed class ConversationSummary
{
    /// <summary>Gets or sets the summary id.</summary>
    public long Id { get; init; }

    /// <summary>Gets or sets the session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets or sets the level (1 = covers messages).</summary>
    public int Level { get; init; } = 1;

    /// <summary>Gets or sets the first message id covered (for level 2+, the first message of the first child).</summary>
    public long FirstMessageId { get; init; }

    /// <summary>Gets or sets the last message id covered (for level 2+, the last message of the last child).</summary>
    public long LastMessageId { get; init; }

    /// <summary>Gets or sets the summary that covers this one, once it has been rolled up.</summary>
    public long? ParentId { get; set; }

    /// <summary>Gets or sets the summary text.</summary>
    public required string Content { get; init; }

    /// <summary>Gets or sets the token count of <see cref="Content"/>.</summary>
    public int TokenCount { get; init; }

    /// <summary>Gets or sets when the summary was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets or sets when the summary stopped being active (rolled up or restored), if it has.</summary>
    public DateTimeOffset? SupersededAt { get; set; }

    /// <summary>Gets a value indicating whether the summary is part of the active context.</summary>
    public bool IsActive => SupersededAt is null;
}
