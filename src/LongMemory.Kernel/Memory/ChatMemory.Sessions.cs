using Microsoft.Extensions.AI;

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
    /// Deletes a session. A soft delete hides it from lists and recall and can be undone with <see cref="RestoreSessionAsync"/>;
    /// a hard delete purges its messages, summaries, knowledge learned in it and every index item of it.
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

        // SQL first (the purge drops the session's rows, documents and outbox entries), then knowledge (its keys are queued
        // to follow whatever stays current), then every index item of the session, so no pass can re-add one afterwards.
        await Sessions.PurgeSessionAsync(scope.Owner, session.Id, cancellationToken).ConfigureAwait(false);
        await Knowledge.DeleteBySessionAsync(scope.Owner.Key, session.Id, cancellationToken).ConfigureAwait(false);
        await Index.DeleteAsync(new MemoryFilter(scope.Owner.Key) { SessionId = session.Id }, cancellationToken).ConfigureAwait(false);
        Log.SessionDeleted(_logger, session.Id, hard: true);
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
}
