using System.Globalization;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Saves something to the scope user's curated model memory. A near-duplicate of an existing entry (cosine at or
    /// above <see cref="ChatMemoryOptions.NearDuplicateThreshold"/>) updates that entry instead of adding one.
    /// </summary>
    /// <param name="scope">The scope.</param>
    /// <param name="content">What to remember.</param>
    /// <param name="category">An optional category.</param>
    /// <param name="importance">The importance, 0..1.</param>
    /// <param name="source">Who wrote it (<c>model</c>, <c>app</c>, ...).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored (new or updated) entry.</returns>
    internal async Task<ModelMemoryEntry> SaveModelMemoryAsync(MemoryScope scope, string content, string? category = null, double importance = 0.5, string source = "model", CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(content);
        Throw.IfOutOfRange(importance, 0, 1);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var owner = scope.Owner;
        ReadOnlyMemory<float> vector;
        try
        {
            vector = await _indexer.EmbedAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or LongMemoryStoreException or EmbeddingModelMismatchException or OutOfMemoryException))
        {
            // The near-duplicate check needs the vector before anything is written; nothing was stored.
            throw new InvalidOperationException($"Saving to model memory failed: the embedding generator failed ({ex.GetType().Name}: {ex.Message}). Nothing was stored.", ex);
        }

        var nearest = await Index.SearchAsync(
            new MemorySearchRequest(new MemoryFilter(owner.Key) { Collections = [MemoryCollections.ModelMemory] }) { QueryVector = vector, Top = 1 },
            cancellationToken).ConfigureAwait(false);
        ModelMemoryEntry entry;
        if (nearest.Count > 0 && nearest[0].VectorSimilarity >= Options.NearDuplicateThreshold
            && nearest[0].Item.Payload.TryGetValue("entry_id", out var idText)
            && long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var existingId)
            && await ModelMemory.GetAsync(owner, existingId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            existing.Content = content;
            existing.Category = category ?? existing.Category;
            existing.Importance = Math.Max(existing.Importance, importance);
            existing.SessionId = scope.SessionId;
            existing.UpdatedAt = _time.GetUtcNow();
            await ModelMemory.UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
            entry = existing;
        }
        else
        {
            entry = await ModelMemory.AddAsync(
                new ModelMemoryEntry { Owner = owner, SessionId = scope.SessionId, Content = content, Category = category, Importance = importance, Source = source },
                cancellationToken).ConfigureAwait(false);
        }

        // The store wrote the outbox entry with the row; the indexer reuses the vector computed above.
        _indexer.OfferVector(entry.Content, vector);
        await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>Lists the scope user's model memory, newest first.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entries.</returns>
    internal async Task<IReadOnlyList<ModelMemoryEntry>> GetModelMemoryAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        var entries = await ModelMemory.ListAsync(scope.Owner, 0, 1000, cancellationToken).ConfigureAwait(false);
        return await WithoutHiddenSessionsAsync(scope.Owner, entries, e => e.SessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a model memory entry of the scope's user: its index item goes and its row's content is erased.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="entryId">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry was forgotten.</returns>
    internal async Task<bool> ForgetModelMemoryAsync(MemoryScope scope, long entryId, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        if (!await ModelMemory.DeleteAsync(scope.Owner, entryId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await AfterWriteAsync(deletion: true, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
