using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// The memory of one scope (a user, a user's session, or an anonymous session): the only public way to read or write a
/// user's data. Get one with <see cref="ChatMemory.ForScope(MemoryScope)"/>.
/// </summary>
/// <remarks>
/// The scope is fixed for the life of the instance, so nothing reached through it can name another owner: every store
/// and index call below it carries the scope's <see cref="MemoryOwner"/>. When the scope names a session, the session is
/// resolved and its ownership checked once, on first use; an unknown session and another owner's session both throw
/// <see cref="SessionNotFoundException"/>. Instances are cheap, thread-safe and may be kept or created per call.
/// </remarks>
public sealed class ScopedMemory
{
    private readonly ChatMemory _memory;
    private Task<ChatSession>? _session;

    internal ScopedMemory(ChatMemory memory, MemoryScope scope)
    {
        _memory = memory;
        Scope = scope;
    }

    /// <summary>Gets the scope.</summary>
    public MemoryScope Scope { get; }

    /// <summary>Gets the owner of everything this scope reads and writes.</summary>
    public MemoryOwner Owner => Scope.Owner;

    /// <summary>Gets the scope's session (title, counters, state), or <see langword="null"/> when the owner has no active session with that id.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session or <see langword="null"/>.</returns>
    public Task<ChatSession?> GetSessionAsync(CancellationToken cancellationToken = default)
        => Scope.SessionId is null
            ? throw new InvalidOperationException("This operation needs a scope with a session id.")
            : _memory.Sessions.GetSessionAsync(Owner, Scope.SessionId, includeDeleted: false, cancellationToken);

    /// <summary>
    /// Records messages in the scope's session: stores them durably with token counts, indexes them (inline or in the
    /// background) and, when enabled, captures knowledge from user messages with the offline pattern extractor.
    /// </summary>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored messages.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist or is not the scope owner's.</exception>
    public async Task<IReadOnlyList<StoredMessage>> AddMessagesAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.AddMessagesAsync(Scope, messages, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the session's messages in order (trimmed ones included unless asked otherwise).</summary>
    /// <param name="query">Paging and filters.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages.</returns>
    public async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(MessageQuery? query = null, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.GetMessagesAsync(Scope, query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Hybrid search over the scope's memory: keyword and vector rankings fused by reciprocal rank, this session boosted,
    /// soft-deleted sessions left out. A user-wide scope searches all of the user's sessions.
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="options">Collections, top-k, thresholds.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The hits, best first.</returns>
    public Task<IReadOnlyList<RecallHit>> RecallAsync(string query, RecallOptions? options = null, CancellationToken cancellationToken = default)
        => _memory.RecallAsync(Scope, query, options, cancellationToken);

    /// <summary>
    /// Builds the prompt for a turn inside the token budget: the app's system messages, knowledge, model memory, relevant
    /// past conversation, document context, the running summary, restored messages, recent turns and the new messages,
    /// with a <see cref="ContextReport"/>. Nothing is stored.
    /// </summary>
    /// <param name="newMessages">The new message(s) of the turn (never cut).</param>
    /// <param name="systemMessages">The app's system messages, placed first.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The prompt and its report.</returns>
    /// <exception cref="ContextBudgetExceededException">The new messages and instructions alone exceed the budget.</exception>
    public async Task<AssembledContext> AssembleContextAsync(IReadOnlyList<ChatMessage> newMessages, IReadOnlyList<ChatMessage>? systemMessages = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(newMessages);
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.AssembleContextAsync(Scope, newMessages, systemMessages, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the current knowledge of the owner, optionally for one key.</summary>
    /// <param name="key">A key, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The current entries.</returns>
    public Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeAsync(string? key = null, CancellationToken cancellationToken = default)
        => _memory.GetKnowledgeAsync(Scope, key, cancellationToken);

    /// <summary>Lists every value a key ever had for the owner, oldest first (superseded and forgotten ones included).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The history.</returns>
    public Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeHistoryAsync(string key, CancellationToken cancellationToken = default)
        => _memory.GetKnowledgeHistoryAsync(Scope, key, cancellationToken);

    /// <summary>Records a fact about the owner; a new value for an existing key supersedes the old one (history is kept).</summary>
    /// <param name="key">The key, for example <c>location</c>.</param>
    /// <param name="value">The value.</param>
    /// <param name="sourceMessageId">The message it came from, if any.</param>
    /// <param name="confidence">The confidence, 0..1.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The current entry for the key.</returns>
    public Task<KnowledgeEntry> RememberFactAsync(string key, string value, long? sourceMessageId = null, double confidence = 1.0, CancellationToken cancellationToken = default)
        => _memory.RememberFactAsync(Scope, key, value, sourceMessageId, confidence, cancellationToken);

    /// <summary>Forgets a knowledge entry of the owner: it leaves recall, listings and prompts.</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry of this owner was forgotten.</returns>
    public Task<bool> ForgetKnowledgeAsync(long entryId, CancellationToken cancellationToken = default)
        => _memory.ForgetKnowledgeAsync(Scope, entryId, cancellationToken);

    /// <summary>
    /// Saves something to the owner's curated model memory. A near-duplicate of an existing entry updates that entry.
    /// </summary>
    /// <param name="content">What to remember.</param>
    /// <param name="category">An optional category.</param>
    /// <param name="importance">The importance, 0..1.</param>
    /// <param name="source">Who wrote it (<c>model</c>, <c>app</c>, ...).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored (new or updated) entry.</returns>
    public Task<ModelMemoryEntry> SaveModelMemoryAsync(string content, string? category = null, double importance = 0.5, string source = "model", CancellationToken cancellationToken = default)
        => _memory.SaveModelMemoryAsync(Scope, content, category, importance, source, cancellationToken);

    /// <summary>Lists the owner's model memory, newest first.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entries.</returns>
    public Task<IReadOnlyList<ModelMemoryEntry>> GetModelMemoryAsync(CancellationToken cancellationToken = default)
        => _memory.GetModelMemoryAsync(Scope, cancellationToken);

    /// <summary>Forgets a model memory entry of the owner (from the store and the index).</summary>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry of this owner was forgotten.</returns>
    public Task<bool> ForgetModelMemoryAsync(long entryId, CancellationToken cancellationToken = default)
        => _memory.ForgetModelMemoryAsync(Scope, entryId, cancellationToken);

    /// <summary>Imports (or replaces) a document linked to the session: chunked, embedded and indexed for recall.</summary>
    /// <param name="documentId">The document id (re-importing the same id replaces it).</param>
    /// <param name="title">The title.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of chunks indexed.</returns>
    public async Task<int> ImportDocumentAsync(string documentId, string title, string text, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.ImportDocumentAsync(Scope, documentId, title, text, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reduces the session when it is over the trigger (live messages or token share); no model call otherwise.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was done.</returns>
    public async Task<ReductionResult> ReduceIfNeededAsync(CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.ReduceIfNeededAsync(Scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reduces the session down to its target now, whatever the trigger.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was done.</returns>
    public async Task<ReductionResult> CompactAsync(CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.CompactAsync(Scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Summarizes the oldest live messages of the session (at least <paramref name="count"/>, whole tool groups).</summary>
    /// <param name="count">How many messages.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was done.</returns>
    public async Task<ReductionResult> SummarizeOldestAsync(int count, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.SummarizeOldestAsync(Scope, count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the session's summaries.</summary>
    /// <param name="activeOnly">Whether only active (not superseded) summaries are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summaries, oldest first.</returns>
    public async Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(bool activeOnly = true, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.GetSummariesAsync(Scope, activeOnly, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings trimmed messages of the session back into its live context, verbatim.</summary>
    /// <param name="messageIds">The message ids (ids of other sessions are ignored).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many messages were restored.</returns>
    public async Task<int> RestoreMessagesAsync(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messageIds);
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.RestoreMessagesAsync(Scope, messageIds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings the messages a summary of the session covers back into its live context, verbatim.</summary>
    /// <param name="summaryId">The summary id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>How many messages were restored.</returns>
    /// <exception cref="KeyNotFoundException">This session has no summary with that id (another session's summary is not found either).</exception>
    public async Task<int> RestoreSummaryAsync(long summaryId, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.RestoreSummaryAsync(Scope, summaryId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a session report (summary of the session, knowledge learned) as a report message of the session.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored report.</returns>
    public async Task<StoredMessage> GenerateReportAsync(CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        return await _memory.GenerateReportAsync(Scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the indexing outbox counts of this scope: its session, or every session of the owner.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts and the last error.</returns>
    public async Task<IndexStatus> GetIndexStatusAsync(CancellationToken cancellationToken = default)
    {
        if (Scope.SessionId is not null)
        {
            await RequireSessionAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _memory.GetScopeIndexStatusAsync(Scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the memory tools for a model, bound to this scope: the model never supplies a user or session id.
    /// </summary>
    /// <returns>The tools.</returns>
    public IReadOnlyList<AIFunction> CreateTools() => _memory.CreateTools(Scope);

    /// <summary>
    /// Creates the memory tools of <paramref name="toolSet"/> for a model, bound to this scope: the model never supplies a
    /// user or session id. <see cref="MemoryToolSet.Compact"/> is for small windows (the README lists each tool's cost).
    /// </summary>
    /// <param name="toolSet">Which tools.</param>
    /// <returns>The tools.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toolSet"/> is not a defined <see cref="MemoryToolSet"/>.</exception>
    public IReadOnlyList<AIFunction> CreateTools(MemoryToolSet toolSet) => _memory.CreateTools(Scope, toolSet);

    private Task<ChatSession> RequireSessionAsync(CancellationToken cancellationToken)
    {
        if (Scope.SessionId is null)
        {
            throw new InvalidOperationException("This operation needs a scope with a session id (MemoryScope.For(userId, sessionId) or ForSession(sessionId)).");
        }

        var pending = _session;
        if (pending is null || pending.IsFaulted || pending.IsCanceled)
        {
            // Resolved once; a failed resolution (not found, store fault, cancellation) is retried on the next call.
            pending = _memory.RequireSessionAsync(Scope, cancellationToken);
            _session = pending;
        }

        return pending;
    }
}
