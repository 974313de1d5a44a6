namespace LongMemory.Kernel.Tests.Storage;

/// <summary>
/// The SQLite store's SPI in the call shapes of tests written before session ids were per owner: it remembers each
/// session's owner when it is created and passes it on. Everything below it is the real <see cref="SqliteSessionStore"/>.
/// </summary>
internal sealed class OwnerTrackingSessionStore(SqliteSessionStore inner, Dictionary<string, MemoryOwner>? owners = null)
{
    private readonly Dictionary<string, MemoryOwner> _owners = owners ?? new(StringComparer.Ordinal);

    /// <summary>The same owners over another store instance (for example after reopening the database).</summary>
    public OwnerTrackingSessionStore Over(SqliteSessionStore store) => new(store, _owners);

    public SqliteSessionStore Inner => inner;

    public MemoryOwner OwnerOf(string? sessionId)
        => sessionId is not null && _owners.TryGetValue(sessionId, out var owner) ? owner : MemoryOwner.User("nobody");

    public async Task<ChatSession> CreateSessionAsync(string? userId, string? title = null, IReadOnlyDictionary<string, string>? metadata = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        var owner = userId is not null ? MemoryOwner.User(userId) : MemoryOwner.AnonymousSession(sessionId ?? Guid.NewGuid().ToString("N"));
        var session = await inner.CreateSessionAsync(owner, sessionId ?? (userId is null ? owner.Id : null), title, metadata, cancellationToken);
        _owners[session.Id] = owner;
        return session;
    }

    public Task<ChatSession?> GetSessionAsync(string sessionId, bool includeDeleted = false, CancellationToken cancellationToken = default)
        => inner.GetSessionAsync(OwnerOf(sessionId), sessionId, includeDeleted, cancellationToken);

    public Task<IReadOnlyList<ChatSession>> GetSessionsAsync(IReadOnlyCollection<string> sessionIds, bool includeDeleted = false, CancellationToken cancellationToken = default)
        => inner.GetSessionsAsync(OwnerOf(sessionIds.First(_owners.ContainsKey)), sessionIds, includeDeleted, cancellationToken);

    public Task<IReadOnlyList<ChatSession>> ListSessionsAsync(string? userId, int skip = 0, int take = 50, CancellationToken cancellationToken = default)
        => inner.ListSessionsAsync(userId is null ? MemoryOwner.AnonymousSession("none") : MemoryOwner.User(userId), skip, take, cancellationToken);

    public Task RenameSessionAsync(string sessionId, string title, CancellationToken cancellationToken = default)
        => inner.RenameSessionAsync(OwnerOf(sessionId), sessionId, title, cancellationToken);

    public Task SetSessionActiveAsync(string sessionId, bool isActive, CancellationToken cancellationToken = default)
        => inner.SetSessionActiveAsync(OwnerOf(sessionId), sessionId, isActive, cancellationToken);

    public Task PurgeSessionAsync(string sessionId, CancellationToken cancellationToken = default)
        => inner.PurgeSessionAsync(OwnerOf(sessionId), sessionId, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> AppendMessagesAsync(string sessionId, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken = default)
        => inner.AppendMessagesAsync(OwnerOf(sessionId), sessionId, messages, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(string sessionId, MessageQuery? query = null, CancellationToken cancellationToken = default)
        => inner.GetMessagesAsync(OwnerOf(sessionId), sessionId, query, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> GetMessagesByIdAsync(string sessionId, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
        => inner.GetMessagesByIdAsync(OwnerOf(sessionId), sessionId, messageIds, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> GetMessagesWithNeighborsAsync(MemoryOwner owner, IReadOnlyList<long> messageIds, int before = 0, int after = 0, CancellationToken cancellationToken = default)
        => inner.GetMessagesWithNeighborsAsync(owner, messageIds, before, after, cancellationToken);

    public Task<int> SetTrimmedAsync(string sessionId, IReadOnlyList<long> messageIds, bool trimmed, CancellationToken cancellationToken = default)
        => inner.SetTrimmedAsync(OwnerOf(sessionId), sessionId, messageIds, trimmed, cancellationToken);

    public Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(int maxCount, DateTimeOffset now, TimeSpan? lease = null, CancellationToken cancellationToken = default)
        => inner.ClaimAsync(maxCount, now, lease ?? TimeSpan.FromHours(1), cancellationToken);

    public Task CompleteAsync(IReadOnlyList<long> entryIds, CancellationToken cancellationToken = default)
        => inner.CompleteAsync(entryIds, cancellationToken);

    public Task FailAsync(IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts = 8, CancellationToken cancellationToken = default)
        => inner.FailAsync(entryIds, error, retryAt, maxAttempts, cancellationToken);

    public Task<IndexStatus> GetIndexStatusAsync(string? sessionId = null, CancellationToken cancellationToken = default)
        => sessionId is null ? inner.GetIndexStatusAsync(null, null, cancellationToken) : inner.GetIndexStatusAsync(OwnerOf(sessionId), sessionId, cancellationToken);

    public async Task<ConversationSummary> AddSummaryAsync(ConversationSummary summary, IReadOnlyList<long> trimmedMessageIds, IReadOnlyList<long> coveredSummaryIds, CancellationToken cancellationToken = default)
        => await inner.AddSummaryAsync(OwnerOf(summary?.SessionId), summary!, trimmedMessageIds, coveredSummaryIds, cancellationToken)
           ?? throw new InvalidOperationException("The summary plan was stale.");

    public Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(string sessionId, bool activeOnly = true, CancellationToken cancellationToken = default)
        => inner.GetSummariesAsync(OwnerOf(sessionId), sessionId, activeOnly, cancellationToken);

    public Task<ConversationSummary?> GetSummaryAsync(string sessionId, long summaryId, CancellationToken cancellationToken = default)
        => inner.GetSummaryAsync(OwnerOf(sessionId), sessionId, summaryId, cancellationToken);
}
