namespace LongMemory.Kernel;

/// <summary>
/// Reads what a scope has stored as listings: its session's messages and summaries, the owner's knowledge (current and
/// history) and model memory. What was learned in a soft-deleted session of the owner is left out until it is restored.
/// </summary>
internal sealed class MemoryReader(ISessionStore sessions, IMessageStore messages, ISummaryStore summaries, IKnowledgeStore knowledge, IModelMemoryStore modelMemory)
{
    /// <summary>Lists a session's messages in order (trimmed ones included unless asked otherwise).</summary>
    public async Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(MemoryScope scope, MessageQuery? query, CancellationToken cancellationToken)
    {
        var session = await sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await messages.GetMessagesAsync(scope.Owner, session.Id, query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the session's summaries (active ones by default), oldest first.</summary>
    public async Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(MemoryScope scope, bool activeOnly, CancellationToken cancellationToken)
    {
        var session = await sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await summaries.GetSummariesAsync(scope.Owner, session.Id, activeOnly, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the current knowledge about the scope's owner, optionally for one key.</summary>
    public async Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeAsync(MemoryScope scope, string? key, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        var entries = await knowledge.GetCurrentAsync(scope.Owner, key, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists every value a key ever had for the scope's owner, oldest first (superseded ones included).</summary>
    public async Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeHistoryAsync(MemoryScope scope, string key, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(key);
        var entries = await knowledge.GetHistoryAsync(scope.Owner, key, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the scope owner's model memory, newest first.</summary>
    public async Task<IReadOnlyList<ModelMemoryEntry>> GetModelMemoryAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        var entries = await modelMemory.ListAsync(scope.Owner, 0, 1000, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves out what was learned in a soft-deleted session of the owner (it comes back when the session is restored).
    /// Entries of sessions that no longer exist, or with no session, stay visible.
    /// </summary>
    private async Task<IReadOnlyList<T>> WithoutHiddenSessionsAsync<T>(MemoryOwner owner, IReadOnlyList<T> entries, Func<T, string?> sessionOf, CancellationToken cancellationToken)
    {
        var sessionIds = entries.Select(sessionOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (sessionIds.Count == 0)
        {
            return entries;
        }

        var hidden = (await sessions.GetSessionsAsync(owner, sessionIds, includeDeleted: true, cancellationToken).ConfigureAwait(false))
            .Where(s => !s.IsActive).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return hidden.Count == 0 ? entries : entries.Where(e => sessionOf(e) is not { } id || !hidden.Contains(id)).ToList();
    }
}
