namespace LongMemory.Kernel;

/// <summary>Durable storage of sessions, their messages (with the indexing outbox) and their summaries.</summary>
/// <remarks>
/// Implementations validate input (null/empty ids throw <see cref="ArgumentException"/>, unknown sessions throw
/// <see cref="SessionNotFoundException"/>) and wrap provider failures in <see cref="LongMemoryStoreException"/>.
/// Adding messages or summaries to a soft-deleted session throws <see cref="InvalidOperationException"/> (restore it first);
/// reading, renaming, restoring and purging it work.
/// </remarks>
public interface ISessionStore
{
    /// <summary>Creates a session.</summary>
    /// <param name="userId">The owning user, or <see langword="null"/> for an anonymous session.</param>
    /// <param name="title">The title; when <see langword="null"/> it is derived from the first user message.</param>
    /// <param name="metadata">Optional metadata.</param>
    /// <param name="sessionId">An id to use (for example <c>ChatOptions.ConversationId</c>); a new one when <see langword="null"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The new session.</returns>
    Task<ChatSession> CreateSessionAsync(string? userId, string? title = null, IReadOnlyDictionary<string, string>? metadata = null, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a session, or <see langword="null"/> when it does not exist (or is soft-deleted and <paramref name="includeDeleted"/> is false).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="includeDeleted">Whether soft-deleted sessions are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session or <see langword="null"/>.</returns>
    Task<ChatSession?> GetSessionAsync(string sessionId, bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Gets several sessions in one call; ids that do not exist (or are soft-deleted, unless asked) are left out.</summary>
    /// <param name="sessionIds">The session ids.</param>
    /// <param name="includeDeleted">Whether soft-deleted sessions are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sessions found, in no particular order.</returns>
    Task<IReadOnlyList<ChatSession>> GetSessionsAsync(IReadOnlyCollection<string> sessionIds, bool includeDeleted = false, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's active sessions, most recently updated first.</summary>
    /// <param name="userId">The user id; <see langword="null"/> lists anonymous sessions.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many to return at most.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sessions.</returns>
    Task<IReadOnlyList<ChatSession>> ListSessionsAsync(string? userId, int skip = 0, int take = 50, CancellationToken cancellationToken = default);

    /// <summary>Renames a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="title">The new title.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task RenameSessionAsync(string sessionId, string title, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes (<paramref name="isActive"/> false) or restores (true) a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="isActive">The new state.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task SetSessionActiveAsync(string sessionId, bool isActive, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and every message and summary of it. Index items are purged by the caller.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task PurgeSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Appends messages in one transaction, updating the session's counters and <c>updated_at</c>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored messages with their ids, in order; new messages are <see cref="IndexState.Pending"/>.</returns>
    Task<IReadOnlyList<StoredMessage>> AppendMessagesAsync(string sessionId, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's messages in order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="query">Paging and filters; all messages when <see langword="null"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, MessageQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Gets messages of a session by id (ids of other sessions are ignored), in id order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messageIds">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages found.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesByIdAsync(string sessionId, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets messages by id across sessions in one call, each with up to <paramref name="before"/> earlier and
    /// <paramref name="after"/> later messages of its own session (neighbouring turns for recall).
    /// </summary>
    /// <param name="messageIds">The ids; unknown ids are left out.</param>
    /// <param name="before">How many earlier messages of the same session to add per id.</param>
    /// <param name="after">How many later messages of the same session to add per id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The distinct messages found, ordered by id.</returns>
    Task<IReadOnlyList<StoredMessage>> GetMessagesWithNeighborsAsync(IReadOnlyList<long> messageIds, int before = 0, int after = 0, CancellationToken cancellationToken = default);

    /// <summary>Marks messages of a session trimmed or live.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messageIds">The ids.</param>
    /// <param name="trimmed">The new flag.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of messages changed.</returns>
    Task<int> SetTrimmedAsync(string sessionId, IReadOnlyList<long> messageIds, bool trimmed, CancellationToken cancellationToken = default);

    /// <summary>Gets messages (of any session) that are pending, or failed and due for a retry.</summary>
    /// <param name="maxCount">The maximum number.</param>
    /// <param name="now">The current time (failed messages are due when their retry time has passed).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages, oldest first.</returns>
    Task<IReadOnlyList<StoredMessage>> GetIndexBacklogAsync(int maxCount, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks messages indexed.</summary>
    /// <param name="messageIds">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task MarkIndexedAsync(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>Records a failed indexing attempt; the messages stay stored and are retried after <paramref name="retryAt"/>.</summary>
    /// <param name="messageIds">The ids.</param>
    /// <param name="error">The error text.</param>
    /// <param name="retryAt">When to retry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task MarkIndexFailedAsync(IReadOnlyList<long> messageIds, string error, DateTimeOffset retryAt, CancellationToken cancellationToken = default);

    /// <summary>Counts the outbox states, for one session or the whole store.</summary>
    /// <param name="sessionId">The session id, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts.</returns>
    Task<IndexStatus> GetIndexStatusAsync(string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a summary and, in the same transaction, marks the messages it covers trimmed and the summaries it rolls up
    /// superseded (with their parent set to the new summary). Either all of it happens or none.
    /// </summary>
    /// <param name="summary">The summary (its id is assigned).</param>
    /// <param name="trimmedMessageIds">Messages to mark trimmed.</param>
    /// <param name="coveredSummaryIds">Summaries rolled up into this one.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored summary.</returns>
    Task<ConversationSummary> AddSummaryAsync(ConversationSummary summary, IReadOnlyList<long> trimmedMessageIds, IReadOnlyList<long> coveredSummaryIds, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's summaries, oldest (by first covered message) first.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="activeOnly">Whether only active (not superseded) summaries are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summaries.</returns>
    Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(string sessionId, bool activeOnly = true, CancellationToken cancellationToken = default);

    /// <summary>Gets a summary of a session by id.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="summaryId">The summary id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summary or <see langword="null"/>.</returns>
    Task<ConversationSummary?> GetSummaryAsync(string sessionId, long summaryId, CancellationToken cancellationToken = default);
}
