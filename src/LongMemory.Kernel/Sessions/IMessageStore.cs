namespace LongMemory.Kernel;

/// <summary>Durable storage of a session's messages. Part of the storage SPI (see <see cref="ISessionStore"/>).</summary>
/// <remarks>
/// Adding to a soft-deleted session throws <see cref="InvalidOperationException"/> (restore it first); reading works.
/// New messages enter the indexing outbox (<see cref="IIndexOutbox"/>) in the same transaction as their rows.
/// </remarks>
public interface IMessageStore
{
    /// <summary>
    /// Appends messages in one transaction, updating the session's counters and <c>updated_at</c>. Idempotent per
    /// <see cref="NewMessage.IdempotencyKey"/>: a message whose key the session already holds is not stored again, and the
    /// stored one is returned in its place.
    /// </summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored messages with their ids, in order.</returns>
    Task<IReadOnlyList<StoredMessage>> AppendMessagesAsync(MemoryOwner owner, string sessionId, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's messages in order.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="query">Paging and filters; all messages when <see langword="null"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(MemoryOwner owner, string sessionId, MessageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Gets messages of a session by id (ids of other sessions are ignored), in id order.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messageIds">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages found.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesByIdAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets an owner's messages by id across its sessions in one call, each with up to <paramref name="before"/> earlier and
    /// <paramref name="after"/> later messages of its own session (neighbouring turns for recall). Ids of other owners are left out.
    /// </summary>
    /// <param name="owner">The owner.</param>
    /// <param name="messageIds">The ids; unknown ids are left out.</param>
    /// <param name="before">How many earlier messages of the same session to add per id.</param>
    /// <param name="after">How many later messages of the same session to add per id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The distinct messages found, ordered by id.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesWithNeighborsAsync(MemoryOwner owner, IReadOnlyList<long> messageIds, int before = 0, int after = 0, CancellationToken cancellationToken = default);

    /// <summary>Marks messages of a session trimmed or live.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messageIds">The ids.</param>
    /// <param name="trimmed">The new flag.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of messages changed.</returns>
    Task<int> SetTrimmedAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, bool trimmed, CancellationToken cancellationToken = default);
}
