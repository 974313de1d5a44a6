using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>A message as the store keeps it.</summary>
public sealed class StoredMessage
{
    /// <summary>Gets or sets the message id (increasing in insertion order within a database).</summary>
    public long Id { get; init; }

    /// <summary>Gets or sets the session id (unique per owner).</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets or sets the session's owner.</summary>
    public MemoryOwner Owner { get; init; }

    /// <summary>Gets or sets the id of the model response this message belongs to, if any.</summary>
    public string? ResponseId { get; init; }

    /// <summary>Gets or sets the role.</summary>
    public required ChatRole Role { get; init; }

    /// <summary>Gets or sets the text of the message (the concatenated text contents).</summary>
    public required string Content { get; init; }

    /// <summary>Gets or sets the kind of message.</summary>
    public StoredMessageType MessageType { get; init; }

    /// <summary>Gets or sets when the message was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets or sets the token count of the message.</summary>
    public int TokenCount { get; init; }

    /// <summary>Gets or sets a value indicating whether reduction has trimmed the message from the live context.</summary>
    public bool IsTrimmed { get; set; }

    /// <summary>Gets or sets the indexing outbox state.</summary>
    public IndexState IndexState { get; set; }

    /// <summary>Gets or sets the number of failed indexing attempts.</summary>
    public int IndexAttempts { get; set; }

    /// <summary>Gets or sets the last indexing error, if any.</summary>
    public string? IndexError { get; set; }

    /// <summary>
    /// Gets or sets the message's non-text contents (function calls and results, ...) serialized with
    /// <see cref="AIJsonUtilities.DefaultOptions"/>, or <see langword="null"/> for a text-only message.
    /// </summary>
    public string? ContentsJson { get; init; }

    /// <summary>Gets or sets free-form metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
