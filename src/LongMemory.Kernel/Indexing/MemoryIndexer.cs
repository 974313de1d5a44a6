using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// The one writer of the memory index. It claims indexing outbox entries, loads the CURRENT source row of each
/// (so a replay is idempotent and a superseded or forgotten value is deleted, never resurrected), builds the items
/// (<see cref="IndexItemBuilder"/>), embeds them in batches, upserts and deletes, and completes the entries.
/// A failed batch is retried entry by entry, so one bad entry never holds back the others; each failure is recorded on
/// its entry (attempts, error, back-off) until it is dead at <see cref="ChatMemoryOptions.IndexMaxAttempts"/>.
/// </summary>
internal sealed partial class MemoryIndexer
{
    /// <summary>How long a claim keeps other indexers (threads, processes) away from an entry.</summary>
    internal static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    private const int VectorHintCapacity = 256;

    private readonly IndexSources _sources;
    private readonly IMemoryIndex _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly TextChunker _chunker;
    private readonly ChatMemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _modelCheck = new(1, 1);
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<float>> _vectorHints = new(StringComparer.Ordinal);
    private volatile bool _modelChecked;

    public MemoryIndexer(
        IndexSources sources,
        IMemoryIndex index,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        TextChunker chunker,
        ChatMemoryOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _sources = sources;
        _index = index;
        _embedder = embedder;
        _chunker = chunker;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after items of an owner's collection were written (context assembly's presence cache listens).</summary>
    public Action<string, string>? Indexed { get; set; }

    public TextChunker Chunker => _chunker;

    /// <summary>Records or checks the embedding model in the index (once per instance).</summary>
    public async Task EnsureModelAsync(CancellationToken cancellationToken)
    {
        if (_modelChecked)
        {
            return;
        }

        await _modelCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_modelChecked)
            {
                return;
            }

            var metadata = _embedder.GetService<EmbeddingGeneratorMetadata>();
            var dimensions = metadata?.DefaultModelDimensions;
            if (dimensions is null or <= 0)
            {
                var probe = await _embedder.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false);
                dimensions = probe[0].Vector.Length;
            }

            var modelId = metadata?.DefaultModelId ?? metadata?.ProviderName ?? _embedder.GetType().Name;
            await _index.EnsureEmbeddingModelAsync(modelId, dimensions.Value, cancellationToken).ConfigureAwait(false);
            _modelChecked = true;
        }
        finally
        {
            _modelCheck.Release();
        }
    }

    public async Task<ReadOnlyMemory<float>> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        await EnsureModelAsync(cancellationToken).ConfigureAwait(false);
        var result = await _embedder.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result[0].Vector;
    }

    public async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedManyAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        await EnsureModelAsync(cancellationToken).ConfigureAwait(false);
        var vectors = new List<ReadOnlyMemory<float>>(texts.Count);
        for (var start = 0; start < texts.Count; start += _options.EmbeddingBatchSize)
        {
            var batch = texts.Skip(start).Take(_options.EmbeddingBatchSize).ToList();
            var embeddings = await _embedder.GenerateAsync(batch, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != batch.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {batch.Count} inputs.");
            }

            vectors.AddRange(embeddings.Select(e => e.Vector));
        }

        return vectors;
    }

    /// <summary>Offers a vector already computed for a text (a model memory's near-duplicate check), so it is not embedded twice.</summary>
    public void OfferVector(string text, ReadOnlyMemory<float> vector)
    {
        if (_vectorHints.Count >= VectorHintCapacity)
        {
            _vectorHints.Clear();
        }

        _vectorHints[text] = vector;
    }

    /// <summary>Processes every due outbox entry (pending, or failed and due for a retry); returns how many entries were claimed.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var batch = await _sources.Outbox.ClaimAsync(_options.EmbeddingBatchSize, _time.GetUtcNow(), ClaimLease, cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                return total;
            }

            total += batch.Count;
            await ProcessAsync(batch, cancellationToken).ConfigureAwait(false);
            if (batch.Count < _options.EmbeddingBatchSize)
            {
                return total; // Anything written since is announced by its writer, which asks for another pass.
            }
        }
    }

    /// <summary>Indexes claimed entries: the batch at once, else entry by entry; completes or fails each.</summary>
    private async Task ProcessAsync(IReadOnlyList<IndexOutboxEntry> batch, CancellationToken cancellationToken)
    {
        // Entries of the same source are one piece of work: the current row decides.
        var groups = batch.GroupBy(e => (e.Kind, OwnerKey: e.Owner.Key, e.SourceId, Session: e.Kind == IndexItemKind.Document ? e.SessionId : null)).Select(g => g.ToList()).ToList();
        try
        {
            var written = await ApplyAsync(groups.Select(g => g[^1]).ToList(), cancellationToken).ConfigureAwait(false);
            await _sources.Outbox.CompleteAsync(batch.Select(e => e.Id).ToList(), cancellationToken).ConfigureAwait(false);
            Log.Indexed(_logger, batch.Count, written);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && groups.Count > 1)
        {
            Log.BatchFailed(_logger, batch.Count, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await FailAsync(groups[0], ex).ConfigureAwait(false);
            return;
        }

        // Isolate: one entry that always fails must not keep the rest of its batch unindexed.
        foreach (var group in groups)
        {
            try
            {
                await ApplyAsync([group[^1]], cancellationToken).ConfigureAwait(false);
                await _sources.Outbox.CompleteAsync(group.Select(e => e.Id).ToList(), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                await FailAsync(group, ex).ConfigureAwait(false);
            }
        }
    }

    private async Task FailAsync(IReadOnlyList<IndexOutboxEntry> entries, Exception exception)
    {
        var attempts = entries.Max(e => e.Attempts) + 1;
        var delay = RetryDelay(attempts);
        var dead = attempts >= _options.IndexMaxAttempts;
        if (dead)
        {
            Log.Dead(_logger, entries.Count, entries[0].Kind, entries[0].SourceId, attempts, exception);
        }
        else
        {
            Log.Failed(_logger, entries.Count, entries[0].Kind, attempts, delay.TotalSeconds, exception);
        }

        await _sources.Outbox.FailAsync(
            entries.Select(e => e.Id).ToList(), exception.GetType().Name + ": " + exception.Message, _time.GetUtcNow() + delay, _options.IndexMaxAttempts, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Makes the index match the current source rows of the entries; returns the number of items written.</summary>
    private async Task<int> ApplyAsync(IReadOnlyList<IndexOutboxEntry> entries, CancellationToken cancellationToken)
    {
        await EnsureModelAsync(cancellationToken).ConfigureAwait(false);
        var upserts = new List<MemoryItem>();
        var deletes = new List<(string Owner, string Collection, string Id)>();
        var summaries = new List<(MemoryItem Item, IndexOutboxEntry Entry)>();

        foreach (var group in entries.Where(e => e.Kind == IndexItemKind.Message).GroupBy(e => (e.Owner, e.SessionId)))
        {
            upserts.AddRange(await LoadMessagesAsync(group.Key.Owner, group.Key.SessionId, group.Select(e => long.Parse(e.SourceId, CultureInfo.InvariantCulture)).ToList(), cancellationToken).ConfigureAwait(false));
        }

        foreach (var entry in entries.Where(e => e.Kind != IndexItemKind.Message))
        {
            var ownerKey = entry.Owner.Key;
            switch (entry.Kind)
            {
                case IndexItemKind.Summary:
                    var summaryId = long.Parse(entry.SourceId, CultureInfo.InvariantCulture);
                    var summary = entry.SessionId is null ? null : await _sources.Summaries.GetSummaryAsync(entry.Owner, entry.SessionId, summaryId, cancellationToken).ConfigureAwait(false);
                    if (summary is null)
                    {
                        deletes.Add((ownerKey, MemoryCollections.Logs, IndexItemBuilder.SummaryItemId(summaryId)));
                    }
                    else if ((await _index.GetAsync(ownerKey, MemoryCollections.Logs, [IndexItemBuilder.SummaryItemId(summaryId)], cancellationToken).ConfigureAwait(false)).Count == 0)
                    {
                        // A summary never changes, so an item that exists is up to date.
                        summaries.Add((IndexItemBuilder.ForSummary(summary, entry.Owner), entry));
                    }

                    break;

                case IndexItemKind.Knowledge:
                    var current = await _sources.Knowledge.GetCurrentAsync(entry.Owner, entry.SourceId, cancellationToken).ConfigureAwait(false);
                    if (current.Count == 0)
                    {
                        deletes.Add((ownerKey, MemoryCollections.Knowledge, IndexItemBuilder.KnowledgeItemId(entry.SourceId)));
                    }
                    else
                    {
                        upserts.Add(IndexItemBuilder.ForKnowledge(current[0]));
                    }

                    break;

                case IndexItemKind.ModelMemory:
                    var memoryId = long.Parse(entry.SourceId, CultureInfo.InvariantCulture);
                    var memory = await _sources.ModelMemory.GetAsync(entry.Owner, memoryId, cancellationToken).ConfigureAwait(false);
                    if (memory is null)
                    {
                        deletes.Add((ownerKey, MemoryCollections.ModelMemory, IndexItemBuilder.ModelMemoryItemId(memoryId)));
                    }
                    else
                    {
                        upserts.Add(IndexItemBuilder.ForModelMemory(memory));
                    }

                    break;

                case IndexItemKind.Document:
                    var document = entry.SessionId is null || _sources.Documents is null
                        ? null
                        : await _sources.Documents.GetAsync(entry.Owner, entry.SessionId, entry.SourceId, cancellationToken).ConfigureAwait(false);
                    var items = document is null ? [] : IndexItemBuilder.ForDocument(document, _chunker);
                    upserts.AddRange(items);
                    if (entry.SessionId is not null)
                    {
                        var keep = items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
                        foreach (var stale in await FindDocumentItemsAsync(ownerKey, entry.SessionId, entry.SourceId, cancellationToken).ConfigureAwait(false))
                        {
                            if (!keep.Contains(stale))
                            {
                                deletes.Add((ownerKey, MemoryCollections.Documents, stale));
                            }
                        }
                    }

                    break;
            }
        }

        var all = upserts.Concat(summaries.Select(s => s.Item)).ToList();
        var vectors = await EmbedItemsAsync(all, cancellationToken).ConfigureAwait(false);
        var withVectors = all.Select((item, i) => IndexItemBuilder.WithVector(item, vectors[i])).ToList();
        deletes.AddRange(await FindRepeatedSummariesAsync(summaries, withVectors.Skip(upserts.Count).ToList(), cancellationToken).ConfigureAwait(false));

        if (withVectors.Count > 0)
        {
            await _index.UpsertAsync(withVectors, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in deletes.GroupBy(d => (d.Owner, d.Collection)))
        {
            await _index.DeleteAsync(group.Key.Owner, group.Key.Collection, group.Select(d => d.Id).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        }

        foreach (var written in withVectors.Select(i => (i.UserId, i.Collection)).Distinct())
        {
            Indexed?.Invoke(written.UserId, written.Collection);
        }

        return withVectors.Count;
    }

    private async Task<IReadOnlyList<MemoryItem>> LoadMessagesAsync(MemoryOwner owner, string? sessionId, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (sessionId is null)
        {
            return [];
        }

        IReadOnlyList<StoredMessage> messages;
        try
        {
            messages = await _sources.Messages.GetMessagesByIdAsync(owner, sessionId, ids, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            return []; // Purged: nothing left to index.
        }

        var items = messages.SelectMany(m => IndexItemBuilder.ForMessage(m, _chunker)).ToList();

        // Identical content in the same session is indexed once: its id is derived from the content.
        var existing = items.Count == 0 ? [] : await _index.GetAsync(owner.Key, MemoryCollections.Logs, items.Select(i => i.Id).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var seen = existing.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        return items.Where(i => seen.Add(i.Id)).ToList();
    }

    private async Task<IReadOnlyList<ReadOnlyMemory<float>>> EmbedItemsAsync(IReadOnlyList<MemoryItem> items, CancellationToken cancellationToken)
    {
        var vectors = new ReadOnlyMemory<float>[items.Count];
        var missing = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (_vectorHints.TryRemove(items[i].Text, out var hint))
            {
                vectors[i] = hint;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var embedded = await EmbedManyAsync(missing.Select(i => items[i].Text).ToList(), cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < missing.Count; j++)
            {
                vectors[missing[j]] = embedded[j];
            }
        }

        return vectors;
    }

    /// <summary>
    /// The near-duplicate rule for summaries: a new summary that repeats (cosine at or above
    /// <see cref="ChatMemoryOptions.NearDuplicateThreshold"/>) the item of a SUPERSEDED summary of its session replaces
    /// that item, so rolled-up repeats do not pile up. An active summary's item is never removed: every active summary
    /// keeps exactly one item.
    /// </summary>
    private async Task<IReadOnlyList<(string Owner, string Collection, string Id)>> FindRepeatedSummariesAsync(
        IReadOnlyList<(MemoryItem Item, IndexOutboxEntry Entry)> summaries, IReadOnlyList<MemoryItem> withVectors, CancellationToken cancellationToken)
    {
        var deletes = new List<(string, string, string)>();
        var activeBySession = new Dictionary<(MemoryOwner, string), HashSet<string>>();
        var newIds = withVectors.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < summaries.Count; i++)
        {
            var (item, entry) = summaries[i];
            var filter = new MemoryFilter(item.UserId) { SessionId = item.SessionId, Collections = [MemoryCollections.Logs], Types = ["summary"] };
            var nearest = await _index.SearchAsync(new MemorySearchRequest(filter) { QueryVector = withVectors[i].Vector, Top = 1 }, cancellationToken).ConfigureAwait(false);
            if (nearest.Count == 0 || nearest[0].VectorSimilarity < _options.NearDuplicateThreshold || newIds.Contains(nearest[0].Item.Id))
            {
                continue;
            }

            var key = (entry.Owner, entry.SessionId!);
            if (!activeBySession.TryGetValue(key, out var active))
            {
                var current = await _sources.Summaries.GetSummariesAsync(entry.Owner, entry.SessionId!, activeOnly: true, cancellationToken).ConfigureAwait(false);
                active = current.Select(s => IndexItemBuilder.SummaryItemId(s.Id)).ToHashSet(StringComparer.Ordinal);
                activeBySession[key] = active;
            }

            if (!active.Contains(nearest[0].Item.Id))
            {
                deletes.Add((item.UserId, MemoryCollections.Logs, nearest[0].Item.Id));
            }
        }

        return deletes;
    }

    private async Task<IReadOnlyList<string>> FindDocumentItemsAsync(string ownerKey, string sessionId, string documentId, CancellationToken cancellationToken)
    {
        var filter = new MemoryFilter(ownerKey) { SessionId = sessionId, Collections = [MemoryCollections.Documents] };
        var found = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _index.ScrollAsync(filter, 256, cursor, cancellationToken).ConfigureAwait(false);
            found.AddRange(page.Items.Where(i => i.Payload.TryGetValue("document_id", out var d) && d == documentId).Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return found;
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(_options.IndexRetryBaseDelay.Ticks * factor, _options.IndexRetryMaxDelay.Ticks));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Indexed {EntryCount} outbox entries: {ItemCount} items written.")]
        public static partial void Indexed(ILogger logger, int entryCount, int itemCount);

        [LoggerMessage(2, LogLevel.Warning, "Indexing {EntryCount} {Kind} entries failed (attempt {Attempt}); the rows stay stored and are retried in {RetrySeconds} s.")]
        public static partial void Failed(ILogger logger, int entryCount, IndexItemKind kind, int attempt, double retrySeconds, Exception exception);

        [LoggerMessage(3, LogLevel.Information, "Indexing a batch of {EntryCount} outbox entries failed; retrying them one by one.")]
        public static partial void BatchFailed(ILogger logger, int entryCount, Exception exception);

        [LoggerMessage(4, LogLevel.Error, "Indexing {EntryCount} {Kind} entries (source {SourceId}) failed {Attempt} times; they are dead and no longer retried.")]
        public static partial void Dead(ILogger logger, int entryCount, IndexItemKind kind, string sourceId, int attempt, Exception exception);
    }
}
