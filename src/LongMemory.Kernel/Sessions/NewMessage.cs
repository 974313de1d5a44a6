using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>A message to append to a session.</summary>
public sealed class NewMessage
{
    /// <summary>Gets or sets the role.</summary>
    public required ChatRole Role { get; init; }

    /// <summary>Gets or sets the text. May be empty only when <see cref="ContentsJson"/> carries tool contents.</summary>
    public required string Content { get; init; }

    /// <summary>Gets or sets the kind of message.</summary>
    public StoredMessageType MessageType { get; init; } = StoredMessageType.Chat;

    /// <summary>Gets or sets the response id, if any.</summary>
    public string? ResponseId { get; init; }

    /// <summary>
    /// Gets an optional key that makes the append idempotent: a message whose key is already stored in the session is not
    /// stored again (the stored one is returned). The middleware derives it from <c>ChatMessage.MessageId</c> or the turn.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets or sets the timestamp; the store's clock is used when <see langword="null"/>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Gets or sets the token count.</summary>
    public int TokenCount { get; init; }

    /// <summary>Gets or sets serialized non-text contents (see <see cref="StoredMessage.ContentsJson"/>).</summary>
    public string? ContentsJson { get; init; }

    /// <summary>Gets or sets free-form metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
