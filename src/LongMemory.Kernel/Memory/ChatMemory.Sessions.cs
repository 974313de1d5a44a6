using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Returns the memory of one scope: the only public way to read or write a user's data (messages, recall, context,
    /// knowledge, model memory, documents, summaries, restore, reports, tools).
    /// </summary>
    /// <param name="scope">The scope: a user, a user's session, or an anonymous session.</param>
    /// <returns>The scoped memory; the session's ownership is checked on first use.</returns>
    public ScopedMemory ForScope(MemoryScope scope) => new(this, Throw.IfNull(scope));

    /// <summary>Creates a session for a user (or an anonymous one). Session ids are unique per owner.</summary>
    /// <param name="userId">The user, or <see langword="null"/> for an anonymous session.</param>
    /// <param name="title">The title; derived from the first user message when <see langword="null"/>.</param>
    /// <param name="sessionId">An id to use; a new one when <see langword="null"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session; its <see cref="ChatSession.Scope"/> is the scope to use with it.</returns>
    /// <exception cref="SessionAlreadyExistsException">The owner already has a session with <paramref name="sessionId"/>.</exception>
    public async Task<ChatSession> CreateSessionAsync(string? userId, string? title = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        if (userId is null && sessionId is not null)
        {
            Throw.IfNullOrWhitespace(sessionId);
        }

        var owner = userId is not null ? MemoryOwner.User(Throw.IfNullOrWhitespace(userId)) : MemoryOwner.AnonymousSession(sessionId ?? Guid.NewGuid().ToString("N"));
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await Sessions.CreateSessionAsync(owner, owner.Kind == MemoryOwnerKind.AnonymousSession ? owner.Id : sessionId, title, metadata: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the scope's session, creating it (active, untitled) when the owner has no session with that id.</summary>
    /// <param name="scope">A scope with a session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session.</returns>
    /// <exception cref="SessionNotFoundException">The owner's session with that id is soft-deleted.</exception>
    public async Task<ChatSession> GetOrCreateSessionAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        var sessionId = scope.SessionId ?? throw new ArgumentException("The scope must name a session.", nameof(scope));
        await StartAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await Sessions.GetSessionAsync(scope.Owner, sessionId, includeDeleted: true, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return existing.IsActive ? existing : throw new SessionNotFoundException(sessionId);
            }

            try
            {
                return await Sessions.CreateSessionAsync(scope.Owner, sessionId, title: null, metadata: null, cancellationToken).ConfigureAwait(false);
            }
            catch (SessionAlreadyExistsException) when (attempt == 0)
            {
                // Created concurrently by another turn or instance: read it.
            }
        }
    }

    /// <summary>Lists a user's sessions, most recently updated first. Anonymous sessions are never listed.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many at most.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The sessions.</returns>
    public Task<IReadOnlyList<ChatSession>> ListSessionsAsync(string userId, int skip = 0, int take = 50, CancellationToken cancellationToken = default)
        => Sessions.ListSessionsAsync(MemoryOwner.User(Throw.IfNullOrWhitespace(userId)), skip, take, cancellationToken);

    /// <summary>
    /// Deletes a session. A soft delete hides it, and what was learned only in it (its knowledge entries and the model memory
    /// saved in it), from lists, recall, tools and prompts until <see cref="RestoreSessionAsync"/>; a hard delete purges its
    /// messages, summaries, knowledge learned in it, model memory saved in it and every index item of it. For an anonymous
    /// session a hard delete forgets everything of its owner.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="hard">Whether to purge.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task DeleteSessionAsync(MemoryScope scope, bool hard = false, CancellationToken cancellationToken = default)
    {
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        if (!hard)
        {
            await Sessions.SetSessionActiveAsync(scope.Owner, session.Id, false, cancellationToken).ConfigureAwait(false);
            Log.SessionDeleted(_logger, session.Id, hard: false);
            return;
        }

        if (scope.Owner.Kind == MemoryOwnerKind.AnonymousSession)
        {
            // The anonymous owner is the session: nothing of it outlives it.
            await ForgetOwnerAsync(scope.Owner, cancellationToken).ConfigureAwait(false);
            Log.SessionDeleted(_logger, session.Id, hard: true);
            return;
        }

        // SQL first (the purge drops the session's rows, documents and outbox entries), then what was derived only from
        // it (knowledge keys are queued to follow whatever stays current; model memory saved in it), then every index item
        // of the session, so no pass can re-add one afterwards.
        var owner = scope.Owner;
        await Sessions.PurgeSessionAsync(owner, session.Id, cancellationToken).ConfigureAwait(false);
        await Knowledge.DeleteBySessionAsync(owner, session.Id, cancellationToken).ConfigureAwait(false);
        var modelMemory = await ModelMemory.DeleteBySessionAsync(owner, session.Id, cancellationToken).ConfigureAwait(false);
        await Index.DeleteAsync(new MemoryFilter(owner.Key) { SessionId = session.Id }, cancellationToken).ConfigureAwait(false);
        if (modelMemory.Count > 0)
        {
            // Model memory items carry no session id: delete them by id.
            await Index.DeleteAsync(owner.Key, MemoryCollections.ModelMemory, modelMemory.Select(IndexItemBuilder.ModelMemoryItemId).ToList(), cancellationToken).ConfigureAwait(false);
        }

        await ScrubAsync(cancellationToken).ConfigureAwait(false);
        Log.SessionDeleted(_logger, session.Id, hard: true);
    }

    /// <summary>
    /// Forgets a user: deletes every session (soft-deleted ones too), message, summary, knowledge entry (history and
    /// forgotten markers included), model memory entry and index item of every collection (documents too) of the user, then
    /// merges the full-text index and checkpoints the SQLite WAL so that no deleted content stays in the database files.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was removed, per store.</returns>
    /// <remarks>
    /// Other users' data is untouched. Run it again after a failure: each step is idempotent. Anonymous sessions are
    /// forgotten with a hard <see cref="DeleteSessionAsync"/>.
    /// </remarks>
    public async Task<ForgetUserReceipt> ForgetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var owner = MemoryOwner.User(Throw.IfNullOrWhitespace(userId));
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var receipt = await ForgetOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
        Log.UserForgotten(_logger, receipt.Sessions, receipt.Messages, receipt.KnowledgeEntries, receipt.ModelMemoryEntries, receipt.IndexItems);
        return receipt;
    }

    private async Task<ForgetUserReceipt> ForgetOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken)
    {
        // Index first: an item whose source row is gone could never be found again to delete; a row whose item is gone is
        // just re-indexable. Background indexing of this owner's last messages is waited for so it cannot re-add items.
        await WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        var filter = new MemoryFilter(owner.Key);
        if (OwnerPurge is { } purge)
        {
            return await PurgeOwnerAsync(purge, owner, filter, cancellationToken).ConfigureAwait(false);
        }

        var indexItems = await Index.CountAsync(filter, cancellationToken).ConfigureAwait(false);
        await Index.DeleteAsync(filter, cancellationToken).ConfigureAwait(false);
        var knowledge = await Knowledge.DeleteOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
        var modelMemory = await ModelMemory.DeleteOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
        var sessions = await Sessions.PurgeOwnerAsync(owner, cancellationToken).ConfigureAwait(false);

        // Anything indexed between the count and the purge (a turn racing the forget) goes too.
        indexItems += await Index.CountAsync(filter, cancellationToken).ConfigureAwait(false);
        await Index.DeleteAsync(filter, cancellationToken).ConfigureAwait(false);
        ForgetPresence(owner.Key);
        await ScrubAsync(cancellationToken).ConfigureAwait(false);
        return sessions with
        {
            UserId = owner.Id,
            KnowledgeEntries = knowledge,
            ModelMemoryEntries = modelMemory,
            IndexItems = indexItems,
            CompletedAt = _time.GetUtcNow(),
        };
    }

    /// <summary>Forgets an owner through the backend's one-transaction purge (see <see cref="IOwnerPurge"/>).</summary>
    private async Task<ForgetUserReceipt> PurgeOwnerAsync(IOwnerPurge purge, MemoryOwner owner, MemoryFilter filter, CancellationToken cancellationToken)
    {
        // An index the purge does not hold goes first, for the reason above.
        long indexItems = 0;
        if (!purge.IncludesIndex(Index))
        {
            indexItems = await Index.CountAsync(filter, cancellationToken).ConfigureAwait(false);
            await Index.DeleteAsync(filter, cancellationToken).ConfigureAwait(false);
        }

        var receipt = await purge.PurgeOwnerAsync(owner, cancellationToken).ConfigureAwait(false);

        // Anything indexed between the count and the purge (a turn racing the forget) goes too.
        indexItems += receipt.IndexItems + await Index.CountAsync(filter, cancellationToken).ConfigureAwait(false);
        await Index.DeleteAsync(filter, cancellationToken).ConfigureAwait(false);
        ForgetPresence(owner.Key);
        await ScrubAsync(cancellationToken).ConfigureAwait(false);
        return receipt with { UserId = owner.Id, IndexItems = indexItems, CompletedAt = _time.GetUtcNow() };
    }

    /// <summary>On SQLite, makes what was just deleted unrecoverable from the files (FTS merge, WAL checkpoint).</summary>
    private async Task ScrubAsync(CancellationToken cancellationToken)
    {
        var inner = Knowledge is IndexedKnowledgeStore indexed ? indexed.Inner : Knowledge;
        if (inner is SqliteKnowledgeStore sqlite && !await SqliteScrubber.ScrubAsync(sqlite.Database, cancellationToken).ConfigureAwait(false))
        {
            Log.CheckpointBusy(_logger);
        }
    }

    /// <summary>Undoes a soft delete.</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task RestoreSessionAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        var session = scope.SessionId is null ? null : await Sessions.GetSessionAsync(scope.Owner, scope.SessionId, includeDeleted: true, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            throw new SessionNotFoundException(scope.SessionId ?? "(none)");
        }

        await Sessions.SetSessionActiveAsync(scope.Owner, session.Id, true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records messages in a session: stores them durably with token counts, indexes them (inline or in the background)
    /// and, when enabled, captures knowledge from user messages with the offline pattern extractor.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored messages.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist or is not the scope user's.</exception>
    internal async Task<IReadOnlyList<StoredMessage>> AddMessagesAsync(MemoryScope scope, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);
        var list = messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"Message {i} is null.", nameof(messages));
            }

            if (string.IsNullOrWhiteSpace(list[i].Text) && !list[i].Contents.Any(c => c is not TextContent))
            {
                throw new ArgumentException($"Message {i} has no content.", nameof(messages));
            }
        }

        await StartAsync(cancellationToken).ConfigureAwait(false);
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var toStore = list.Select(m => StoredMessageMapper.ToNewMessage(m, TokenCounter.CountTokens([m]), m.CreatedAt ?? now)).ToList();
        toStore = MessageIdempotency.DeriveKeys(list, toStore);
        var stored = await Messages.AppendMessagesAsync(scope.Owner, session.Id, toStore, cancellationToken).ConfigureAwait(false);
        Log.Stored(_logger, session.Id, stored.Count, stored.Sum(m => m.TokenCount));

        // Stored with their outbox entries in one transaction: indexing failures are recorded and retried, never thrown.
        await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);

        if (Options.CaptureKnowledgeOnEveryMessage)
        {
            foreach (var message in stored.Where(m => m.Role == ChatRole.User && m.MessageType == StoredMessageType.Chat))
            {
                await KnowledgeCapture.CaptureUserMessageAsync(scope, message, cancellationToken).ConfigureAwait(false);
            }
        }

        return stored;
    }

    /// <summary>Lists a session's messages in order (trimmed ones included unless asked otherwise).</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="query">Paging and filters.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages.</returns>
    internal async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(MemoryScope scope, MessageQuery? query = null, CancellationToken cancellationToken = default)
    {
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await Messages.GetMessagesAsync(scope.Owner, session.Id, query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A forgotten owner has nothing in any collection.</summary>
    private void ForgetPresence(string owner)
    {
        foreach (var key in _presence.Keys.Where(k => k.Owner == owner).ToList())
        {
            _presence.TryRemove(key, out _);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(26, LogLevel.Information, "Forgot a user: {Sessions} sessions, {Messages} messages, {Knowledge} knowledge entries, {ModelMemory} model memory entries, {IndexItems} index items.")]
        public static partial void UserForgotten(ILogger logger, int sessions, int messages, int knowledge, int modelMemory, long indexItems);

        [LoggerMessage(27, LogLevel.Warning, "The SQLite WAL checkpoint after a forget was blocked by readers; deleted pages stay in the WAL until the next checkpoint.")]
        public static partial void CheckpointBusy(ILogger logger);
    }
}
