using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Turns stored messages into index items (chunk, embed in batches, upsert) and drives the outbox states.
/// Embedding or index failures never lose a message: it stays stored, is marked failed and is retried with back-off.
/// </summary>
internal sealed partial class MemoryIndexer
{
    private readonly IIndexOutbox _outbox;
    private readonly IMemoryIndex _index;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly TextChunker _chunker;
    private readonly ChatMemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _modelCheck = new(1, 1);
    private volatile bool _modelChecked;

    public MemoryIndexer(
        IIndexOutbox outbox,
        IMemoryIndex index,
        IEmbeddingGenerator<string, Embedding<float>> embedder,
        TextChunker chunker,
        ChatMemoryOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _outbox = outbox;
        _index = index;
        _embedder = embedder;
        _chunker = chunker;
        _options = options;
        _time = time;
        _logger = logger;
    }

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

    /// <summary>Indexes messages; returns how many were indexed. Failures are recorded on the messages, not thrown.</summary>
    public async Task<int> IndexMessagesAsync(IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var ids = messages.Select(m => m.Id).ToList();
        try
        {
            var items = new List<MemoryItem>();
            var texts = new List<string>();
            foreach (var message in messages)
            {
                if (!ShouldIndex(message))
                {
                    continue;
                }

                var owner = message.Owner.Key;

                var chunks = _chunker.Chunk(message.Content);
                foreach (var chunk in chunks)
                {
                    var payload = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["message_id"] = message.Id.ToString(CultureInfo.InvariantCulture),
                        ["conversation_id"] = message.SessionId,
                        ["chunk_index"] = chunk.Index.ToString(CultureInfo.InvariantCulture),
                        ["chunk_count"] = chunks.Count.ToString(CultureInfo.InvariantCulture),
                        ["role"] = message.Role.Value,
                    };
                    if (message.ResponseId is not null)
                    {
                        payload["response_id"] = message.ResponseId;
                    }

                    items.Add(new MemoryItem
                    {
                        Id = LogItemId(message.SessionId, chunk.Index, chunk.Text),
                        Collection = MemoryCollections.Logs,
                        UserId = owner,
                        SessionId = message.SessionId,
                        Type = message.MessageType == StoredMessageType.Report ? "report" : "message",
                        Text = chunk.Text,
                        CreatedAt = message.CreatedAt,
                        Payload = payload,
                    });
                    texts.Add(chunk.Text);
                }
            }

            // Identical content in the same session is indexed once: its id is derived from the content.
            var fresh = await DropExistingAsync(items, cancellationToken).ConfigureAwait(false);
            if (fresh.Count > 0)
            {
                var vectors = await EmbedManyAsync(fresh.Select(i => i.Text).ToList(), cancellationToken).ConfigureAwait(false);
                var withVectors = fresh.Select((item, i) => WithVector(item, vectors[i])).ToList();
                await _index.UpsertAsync(withVectors, cancellationToken).ConfigureAwait(false);
            }

            await _outbox.MarkIndexedAsync(ids, cancellationToken).ConfigureAwait(false);
            Log.Indexed(_logger, messages.Count, fresh.Count, items.Count - fresh.Count);
            return messages.Count;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var attempts = messages.Max(m => m.IndexAttempts) + 1;
            var delay = RetryDelay(attempts);
            Log.IndexFailed(_logger, messages.Count, attempts, delay.TotalSeconds, ex);
            await _outbox.MarkIndexFailedAsync(ids, ex.GetType().Name + ": " + ex.Message, _time.GetUtcNow() + delay, CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>Indexes whatever the outbox holds that is due (pending after a crash, failed and due for a retry).</summary>
    public async Task<int> DrainBacklogAsync(int maxMessages, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < maxMessages)
        {
            var batch = await _outbox.GetIndexBacklogAsync(Math.Min(_options.EmbeddingBatchSize, maxMessages - total), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (batch.Count == 0)
            {
                break;
            }

            var indexed = await IndexMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
            total += batch.Count;
            if (indexed == 0)
            {
                break; // Failed again: it waits for its retry time.
            }
        }

        return total;
    }

    internal static string LogItemId(string sessionId, int chunkIndex, string text)
        => "log:" + Hash(sessionId + "\n" + chunkIndex.ToString(CultureInfo.InvariantCulture) + "\n" + text);

    internal static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexString(digest[..12]).ToLowerInvariant();
    }

    internal static MemoryItem WithVector(MemoryItem item, ReadOnlyMemory<float> vector) => new()
    {
        Id = item.Id,
        Collection = item.Collection,
        UserId = item.UserId,
        SessionId = item.SessionId,
        Type = item.Type,
        Text = item.Text,
        CreatedAt = item.CreatedAt,
        Payload = item.Payload,
        Vector = vector,
    };

    private static bool ShouldIndex(StoredMessage message)
        => !string.IsNullOrWhiteSpace(message.Content)
           && (message.Role == ChatRole.User || message.Role == ChatRole.Assistant)
           && message.MessageType is StoredMessageType.Chat or StoredMessageType.Report;

    private async Task<List<MemoryItem>> DropExistingAsync(List<MemoryItem> items, CancellationToken cancellationToken)
    {
        var fresh = new List<MemoryItem>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in items.GroupBy(i => i.UserId, StringComparer.Ordinal))
        {
            var ids = group.Select(i => i.Id).Distinct(StringComparer.Ordinal).ToList();
            var existing = await _index.GetAsync(group.Key, MemoryCollections.Logs, ids, cancellationToken).ConfigureAwait(false);
            var existingIds = existing.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var item in group)
            {
                if (!existingIds.Contains(item.Id) && seen.Add(item.UserId + "\n" + item.Id))
                {
                    fresh.Add(item);
                }
            }
        }

        return fresh;
    }

    private TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(attempts - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.IndexRetryBaseDelay.Ticks * factor, _options.IndexRetryMaxDelay.Ticks));
        return delay;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Indexed {MessageCount} messages: {NewItems} new items, {DuplicateItems} duplicates skipped.")]
        public static partial void Indexed(ILogger logger, int messageCount, int newItems, int duplicateItems);

        [LoggerMessage(2, LogLevel.Warning, "Indexing {MessageCount} messages failed (attempt {Attempt}); they stay stored and are retried in {RetrySeconds} s.")]
        public static partial void IndexFailed(ILogger logger, int messageCount, int attempt, double retrySeconds, Exception exception);
    }
}
