namespace LongMemory.Kernel;

/// <summary>
/// Keeps the knowledge collection of the memory index in step with the knowledge store, whoever writes to it
/// (the memory itself, reduction's knowledge capture or an app): current facts are indexed, closed and forgotten ones removed.
/// </summary>
internal sealed class IndexedKnowledgeStore(
    IKnowledgeStore inner,
    Func<string, IReadOnlyList<KnowledgeEntry>, CancellationToken, Task> indexAsync,
    Func<string, string, CancellationToken, Task> removeAsync) : IKnowledgeStore
{
    public IKnowledgeStore Inner => inner;

    public async Task<KnowledgeEntry> UpsertAsync(KnowledgeEntry entry, CancellationToken cancellationToken = default)
    {
        var current = await inner.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
        await indexAsync(current.UserId, [current], cancellationToken).ConfigureAwait(false);
        return current;
    }

    public async Task<bool> ForgetAsync(string userId, long id, CancellationToken cancellationToken = default)
    {
        var entry = await inner.GetAsync(userId, id, cancellationToken).ConfigureAwait(false);
        if (entry is null || !await inner.ForgetAsync(userId, id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // The index holds only the current fact of a key: forgetting a history entry leaves it alone.
        if (entry.IsCurrent)
        {
            await removeAsync(userId, entry.Key, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public Task<IReadOnlyList<KnowledgeEntry>> GetCurrentAsync(string userId, string? key = null, CancellationToken cancellationToken = default)
        => inner.GetCurrentAsync(userId, key, cancellationToken);

    public Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(string userId, string key, CancellationToken cancellationToken = default)
        => inner.GetHistoryAsync(userId, key, cancellationToken);

    public Task<KnowledgeEntry?> GetAsync(string userId, long id, CancellationToken cancellationToken = default)
        => inner.GetAsync(userId, id, cancellationToken);

    public Task<int> DeleteBySessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
        => inner.DeleteBySessionAsync(userId, sessionId, cancellationToken);

    public Task<int> DeleteOwnerAsync(string userId, CancellationToken cancellationToken = default)
        => inner.DeleteOwnerAsync(userId, cancellationToken);
}
