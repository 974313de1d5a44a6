namespace LongMemory.Kernel;

/// <summary>
/// Announces knowledge writes to the indexer, whoever makes them (the memory itself, reduction's knowledge capture or
/// an app). The store writes each change's outbox entry in the same transaction as the row; this wrapper only asks the
/// indexer for a pass, so the knowledge collection follows the store (current facts indexed, closed and forgotten ones removed).
/// </summary>
internal sealed class IndexedKnowledgeStore(IKnowledgeStore inner, Func<bool, CancellationToken, Task> afterWriteAsync) : IKnowledgeStore
{
    public IKnowledgeStore Inner => inner;

    public async Task<KnowledgeEntry> UpsertAsync(KnowledgeEntry entry, CancellationToken cancellationToken = default)
    {
        var current = await inner.UpsertAsync(entry, cancellationToken).ConfigureAwait(false);
        await afterWriteAsync(false, cancellationToken).ConfigureAwait(false);
        return current;
    }

    public async Task<bool> ForgetAsync(string userId, long id, CancellationToken cancellationToken = default)
    {
        if (!await inner.ForgetAsync(userId, id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<IReadOnlyList<KnowledgeEntry>> GetCurrentAsync(string userId, string? key = null, CancellationToken cancellationToken = default)
        => inner.GetCurrentAsync(userId, key, cancellationToken);

    public Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(string userId, string key, CancellationToken cancellationToken = default)
        => inner.GetHistoryAsync(userId, key, cancellationToken);

    public Task<KnowledgeEntry?> GetAsync(string userId, long id, CancellationToken cancellationToken = default)
        => inner.GetAsync(userId, id, cancellationToken);

    public async Task<int> DeleteBySessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteBySessionAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    public async Task<int> DeleteOwnerAsync(string userId, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteOwnerAsync(userId, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }
}
