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

    public async Task<bool> ForgetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        if (!await inner.ForgetAsync(owner, id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public Task<IReadOnlyList<KnowledgeEntry>> GetCurrentAsync(MemoryOwner owner, string? key = null, CancellationToken cancellationToken = default)
        => inner.GetCurrentAsync(owner, key, cancellationToken);

    public Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(MemoryOwner owner, string key, CancellationToken cancellationToken = default)
        => inner.GetHistoryAsync(owner, key, cancellationToken);

    public Task<KnowledgeEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
        => inner.GetAsync(owner, id, cancellationToken);

    public async Task<int> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteBySessionAsync(owner, sessionId, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    public async Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteOwnerAsync(owner, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            await afterWriteAsync(true, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }
}
