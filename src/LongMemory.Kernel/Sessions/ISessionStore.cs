namespace LongMemory.Kernel;

/// <summary>Durable storage of sessions: the catalog of each owner's conversations. Session ids are unique per owner.</summary>
/// <remarks>
/// A backend implements this with <see cref="IMessageStore"/>, <see cref="ISummaryStore"/> and <see cref="IIndexOutbox"/>
/// (one class may implement all four, as the SQLite store does). Every method takes the <see cref="MemoryOwner"/>: a store
/// never reads or writes across owners, and another owner's session is reported like a missing one
/// (<see cref="SessionNotFoundException"/>). Null or empty ids throw <see cref="ArgumentException"/>; provider failures are
/// wrapped in <see cref="LongMemoryStoreException"/>. This is the storage SPI, not an application's data path: apps use
/// <c>ChatMemory.ForScope(scope)</c>.
/// </remarks>
public interface ISessionStore
{
    /// <summary>Creates a session.</summary>
    /// <param name="owner">The owner. For an anonymous session the id is the owner's id.</param>
    /// <param name="sessionId">An id to use (for example <c>ChatOptions.ConversationId</c>); a new one when <see langword="null"/>.</param>
    /// <param name="title">The title; when <see langword="null"/> it is derived from the first user message.</param>
    /// <param name="metadata">Optional metadata.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The new session.</returns>
    /// <exception cref="SessionAlreadyExistsException">The owner already has a session with that id.</exception>
    Task<ChatSession> CreateSessionAsync(MemoryOwner owner, string? sessionId = null, string? title = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an owner's session, or <see langword="null"/> when it does not exist (or is soft-deleted and <paramref name="includeDeleted"/> is false).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="includeDeleted">Whether soft-deleted sessions are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session or <see langword="null"/>.</returns>
    Task<ChatSession?> GetSessionAsync(MemoryOwner owner, string sessionId, bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Gets several of an owner's sessions in one call; ids that do not exist (or are soft-deleted, unless asked) are left out.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionIds">The session ids.</param>
    /// <param name="includeDeleted">Whether soft-deleted sessions are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sessions found, in no particular order.</returns>
    Task<IReadOnlyList<ChatSession>> GetSessionsAsync(MemoryOwner owner, IReadOnlyCollection<string> sessionIds, bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Lists an owner's active sessions, most recently updated first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many to return at most.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sessions.</returns>
    Task<IReadOnlyList<ChatSession>> ListSessionsAsync(MemoryOwner owner, int skip = 0, int take = 50, CancellationToken cancellationToken = default);

    /// <summary>Renames a session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="title">The new title.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task RenameSessionAsync(MemoryOwner owner, string sessionId, string title, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes (<paramref name="isActive"/> false) or restores (true) a session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="isActive">The new state.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task SetSessionActiveAsync(MemoryOwner owner, string sessionId, bool isActive, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and every message and summary of it. Index items are purged by the caller.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task PurgeSessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes every session of an owner (soft-deleted ones included) with its messages (and their indexing outbox state)
    /// and summaries. Index items are purged by the caller.
    /// </summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts deleted, in <see cref="ForgetUserReceipt.Sessions"/>, <see cref="ForgetUserReceipt.Messages"/> and <see cref="ForgetUserReceipt.Summaries"/>.</returns>
    Task<ForgetUserReceipt> PurgeOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default);
}
