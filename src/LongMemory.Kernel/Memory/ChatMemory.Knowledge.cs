namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>Lists the current knowledge about the scope's user (or anonymous session), optionally for one key.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">A key, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The current entries.</returns>
    internal async Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeAsync(MemoryScope scope, string? key = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        var entries = await Knowledge.GetCurrentAsync(scope.Owner, key, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists every value a key ever had for the scope's user, oldest first (superseded ones included).</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The history.</returns>
    internal async Task<IReadOnlyList<KnowledgeEntry>> GetKnowledgeHistoryAsync(MemoryScope scope, string key, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(key);
        var entries = await Knowledge.GetHistoryAsync(scope.Owner, key, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a fact about the scope's user; a new value for an existing key supersedes the old one (history is kept).</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="key">The key, for example <c>location</c>.</param>
    /// <param name="value">The value.</param>
    /// <param name="sourceMessageId">The message it came from, if any.</param>
    /// <param name="confidence">The confidence, 0..1.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The current entry for the key.</returns>
    internal async Task<KnowledgeEntry> RememberFactAsync(MemoryScope scope, string key, string value, long? sourceMessageId = null, double confidence = 1.0, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(key);
        Throw.IfNullOrWhitespace(value);
        Throw.IfOutOfRange(confidence, 0, 1);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var entry = await Knowledge.UpsertAsync(
            new KnowledgeEntry
            {
                Owner = scope.Owner,
                SessionId = scope.SessionId,
                Key = key,
                Value = value,
                SourceMessageId = sourceMessageId,
                Confidence = confidence,
                ValidFrom = _time.GetUtcNow(),
            },
            cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>
    /// Forgets a knowledge entry of the scope's user (current or history): it leaves recall, listings and prompts, its value
    /// is erased and the history keeps only that a fact was forgotten, and when.
    /// </summary>
    /// <param name="scope">The scope.</param>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry was forgotten.</returns>
    internal async Task<bool> ForgetKnowledgeAsync(MemoryScope scope, long entryId, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await Knowledge.ForgetAsync(scope.Owner, entryId, cancellationToken).ConfigureAwait(false);
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

        var hidden = (await Sessions.GetSessionsAsync(owner, sessionIds, includeDeleted: true, cancellationToken).ConfigureAwait(false))
            .Where(s => !s.IsActive).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        return hidden.Count == 0 ? entries : entries.Where(e => sessionOf(e) is not { } id || !hidden.Contains(id)).ToList();
    }
}
