using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Every write of a scope's data: messages (from the app and from the chat middleware's turns, with knowledge captured
/// from user messages), facts, model memory and documents. Each row is committed with its outbox entry by its store;
/// the writer then triggers the one indexing path (<see cref="IndexingPipeline.AfterWriteAsync"/>), so indexing
/// failures are recorded and retried, never thrown.
/// </summary>
internal sealed partial class MemoryWriter
{
    private readonly ISessionStore _sessions;
    private readonly IMessageStore _messages;
    private readonly IKnowledgeStore _knowledge;
    private readonly IModelMemoryStore _modelMemory;
    private readonly IDocumentStore? _documents;
    private readonly IMemoryIndex _index;
    private readonly KnowledgeCapture _capture;
    private readonly IndexingPipeline _indexing;
    private readonly ITokenCounter _tokenCounter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _captureKnowledge;
    private readonly double _nearDuplicateThreshold;

    /// <param name="sessions">The session store (ownership checks).</param>
    /// <param name="messages">The message store.</param>
    /// <param name="knowledge">The knowledge store (its writes trigger indexing themselves).</param>
    /// <param name="modelMemory">The model memory store.</param>
    /// <param name="documents">The document store, if any.</param>
    /// <param name="index">The index (model memory's near-duplicate check).</param>
    /// <param name="capture">Knowledge capture from user messages.</param>
    /// <param name="indexing">Start-up and the indexing trigger.</param>
    /// <param name="tokenCounter">Counts each stored message's tokens.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The memory's logger.</param>
    /// <param name="captureKnowledge">Whether knowledge is captured on every user message (<see cref="ChatMemoryOptions.CaptureKnowledgeOnEveryMessage"/>).</param>
    /// <param name="nearDuplicateThreshold">The cosine at which a saved model memory updates the nearest one (<see cref="ChatMemoryOptions.NearDuplicateThreshold"/>).</param>
    public MemoryWriter(
        ISessionStore sessions,
        IMessageStore messages,
        IKnowledgeStore knowledge,
        IModelMemoryStore modelMemory,
        IDocumentStore? documents,
        IMemoryIndex index,
        KnowledgeCapture capture,
        IndexingPipeline indexing,
        ITokenCounter tokenCounter,
        TimeProvider time,
        ILogger logger,
        bool captureKnowledge,
        double nearDuplicateThreshold)
    {
        _sessions = sessions;
        _messages = messages;
        _knowledge = knowledge;
        _modelMemory = modelMemory;
        _documents = documents;
        _index = index;
        _capture = capture;
        _indexing = indexing;
        _tokenCounter = tokenCounter;
        _time = time;
        _logger = logger;
        _captureKnowledge = captureKnowledge;
        _nearDuplicateThreshold = nearDuplicateThreshold;
    }

    /// <summary>
    /// Records messages in a session: stores them durably with token counts, indexes them (inline or in the background)
    /// and, when enabled, captures knowledge from user messages with the offline pattern extractor.
    /// </summary>
    /// <exception cref="SessionNotFoundException">The session does not exist or is not the scope owner's.</exception>
    public async Task<IReadOnlyList<StoredMessage>> AddMessagesAsync(MemoryScope scope, IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
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

        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);
        var session = await _sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var toStore = list.Select(m => StoredMessageMapper.ToNewMessage(m, _tokenCounter.CountTokens([m]), m.CreatedAt ?? now)).ToList();
        toStore = MessageIdempotency.DeriveKeys(list, toStore);
        var stored = await _messages.AppendMessagesAsync(scope.Owner, session.Id, toStore, cancellationToken).ConfigureAwait(false);
        Log.Stored(_logger, session.Id, stored.Count, stored.Sum(m => m.TokenCount));

        // Stored with their outbox entries in one transaction: indexing failures are recorded and retried, never thrown.
        await _indexing.AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        await CaptureAsync(scope, stored, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// <see cref="AddMessagesAsync"/> for the chat middleware: the same storing, indexing and knowledge capture, with the
    /// idempotency key and the incomplete flag kept in each message's metadata. A message whose key the session's newest
    /// messages (<paramref name="recent"/>, read by the caller under its turn lock, or read here) already hold is not
    /// stored again (the stored one is returned).
    /// </summary>
    /// <remarks>
    /// The store's append is idempotent on <c>NewMessage.IdempotencyKey</c> (duplicates across processes are refused
    /// there); the check against the newest messages spares the round trip.
    /// </remarks>
    public async Task<IReadOnlyList<StoredMessage>> AppendTurnMessagesAsync(MemoryScope scope, IReadOnlyList<TurnMessage> messages, IReadOnlyList<StoredMessage>? recent, CancellationToken cancellationToken)
    {
        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);
        var session = await _sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        recent ??= await _messages.GetMessagesAsync(scope.Owner, session.Id, new MessageQuery { Newest = true, Take = 64 }, cancellationToken).ConfigureAwait(false);
        var byKey = recent
            .Where(m => m.Metadata is not null && m.Metadata.ContainsKey(TurnMetadata.IdempotencyKey))
            .GroupBy(m => m.Metadata![TurnMetadata.IdempotencyKey], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var now = _time.GetUtcNow();
        var result = new StoredMessage?[messages.Count];
        var toStore = new List<NewMessage>();
        var positions = new List<int>();
        for (var i = 0; i < messages.Count; i++)
        {
            var turn = messages[i];
            if (byKey.TryGetValue(turn.IdempotencyKey, out var already))
            {
                result[i] = already;
                continue;
            }

            var mapped = StoredMessageMapper.ToNewMessage(turn.Message, _tokenCounter.CountTokens([turn.Message]), turn.Message.CreatedAt ?? now);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [TurnMetadata.IdempotencyKey] = turn.IdempotencyKey };
            if (turn.Incomplete)
            {
                metadata[TurnMetadata.Incomplete] = "true";
            }

            toStore.Add(new NewMessage
            {
                Role = mapped.Role,
                Content = mapped.Content,
                ContentsJson = mapped.ContentsJson,
                MessageType = mapped.MessageType,
                ResponseId = mapped.ResponseId,
                IdempotencyKey = turn.IdempotencyKey,
                CreatedAt = mapped.CreatedAt,
                TokenCount = mapped.TokenCount,
                Metadata = metadata,
            });
            positions.Add(i);
        }

        if (toStore.Count > 0)
        {
            var stored = await _messages.AppendMessagesAsync(scope.Owner, session.Id, toStore, cancellationToken).ConfigureAwait(false);
            Log.Stored(_logger, session.Id, stored.Count, stored.Sum(m => m.TokenCount));
            for (var i = 0; i < stored.Count; i++)
            {
                result[positions[i]] = stored[i];
            }

            // Stored with their outbox entries in one transaction: the one write path indexes them (inline or in the background).
            await _indexing.AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
            await CaptureAsync(scope, stored, cancellationToken).ConfigureAwait(false);
        }

        return result.Select(m => m!).ToList();
    }

    /// <summary>Records a fact about the scope's owner; a new value for an existing key supersedes the old one (history is kept).</summary>
    public async Task<KnowledgeEntry> RememberFactAsync(MemoryScope scope, string key, string value, long? sourceMessageId, double confidence, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(key);
        Throw.IfNullOrWhitespace(value);
        Throw.IfOutOfRange(confidence, 0, 1);
        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _knowledge.UpsertAsync(
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
    }

    /// <summary>
    /// Forgets a knowledge entry of the scope's owner (current or history): it leaves recall, listings and prompts, its
    /// value is erased and the history keeps only that a fact was forgotten, and when.
    /// </summary>
    public async Task<bool> ForgetKnowledgeAsync(MemoryScope scope, long entryId, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);
        return await _knowledge.ForgetAsync(scope.Owner, entryId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves something to the scope owner's curated model memory. A near-duplicate of an existing entry (cosine at or
    /// above the near-duplicate threshold) updates that entry instead of adding one.
    /// </summary>
    public async Task<ModelMemoryEntry> SaveModelMemoryAsync(MemoryScope scope, string content, string? category, double importance, string source, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(content);
        Throw.IfOutOfRange(importance, 0, 1);
        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);
        var owner = scope.Owner;
        ReadOnlyMemory<float> vector;
        try
        {
            vector = await _indexing.EmbedAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or LongMemoryStoreException or EmbeddingModelMismatchException or OutOfMemoryException))
        {
            // The near-duplicate check needs the vector before anything is written; nothing was stored.
            throw new InvalidOperationException($"Saving to model memory failed: the embedding generator failed ({ex.GetType().Name}: {ex.Message}). Nothing was stored.", ex);
        }

        var nearest = await _index.SearchAsync(
            new MemorySearchRequest(new MemoryFilter(owner.Key) { Collections = [MemoryCollections.ModelMemory] }) { QueryVector = vector, Top = 1 },
            cancellationToken).ConfigureAwait(false);
        ModelMemoryEntry entry;
        if (nearest.Count > 0 && nearest[0].VectorSimilarity >= _nearDuplicateThreshold
            && nearest[0].Item.Payload.TryGetValue("entry_id", out var idText)
            && long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var existingId)
            && await _modelMemory.GetAsync(owner, existingId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            existing.Content = content;
            existing.Category = category ?? existing.Category;
            existing.Importance = Math.Max(existing.Importance, importance);
            existing.SessionId = scope.SessionId;
            existing.UpdatedAt = _time.GetUtcNow();
            await _modelMemory.UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
            entry = existing;
        }
        else
        {
            entry = await _modelMemory.AddAsync(
                new ModelMemoryEntry { Owner = owner, SessionId = scope.SessionId, Content = content, Category = category, Importance = importance, Source = source },
                cancellationToken).ConfigureAwait(false);
        }

        // The store wrote the outbox entry with the row; the indexer reuses the vector computed above.
        _indexing.OfferVector(entry.Content, vector);
        await _indexing.AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <summary>Forgets a model memory entry of the scope's owner: its index item goes and its row's content is erased.</summary>
    public async Task<bool> ForgetModelMemoryAsync(MemoryScope scope, long entryId, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        if (!await _modelMemory.DeleteAsync(scope.Owner, entryId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await _indexing.AfterWriteAsync(deletion: true, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Imports a document linked to the scope's session: it is stored (the source of truth), then chunked, embedded and
    /// indexed through the outbox. Importing the same document id again replaces it. Returns the number of chunks.
    /// </summary>
    public async Task<int> ImportDocumentAsync(MemoryScope scope, string documentId, string title, string text, CancellationToken cancellationToken)
    {
        Throw.IfNullOrWhitespace(documentId);
        Throw.IfNullOrWhitespace(title);
        Throw.IfNullOrWhitespace(text);
        var session = await _sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        await _indexing.StartAsync(cancellationToken).ConfigureAwait(false);

        var store = _documents ?? throw new InvalidOperationException("Documents cannot be imported: ChatMemoryComponents.Documents is not configured.");
        await store.UpsertAsync(scope.Owner, session.Id, documentId, title, text, cancellationToken).ConfigureAwait(false);
        await _indexing.AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        return _indexing.Chunker.Chunk(text).Count;
    }

    private async Task CaptureAsync(MemoryScope scope, IReadOnlyList<StoredMessage> stored, CancellationToken cancellationToken)
    {
        if (!_captureKnowledge)
        {
            return;
        }

        foreach (var message in stored.Where(m => m.Role == ChatRole.User && m.MessageType == StoredMessageType.Chat))
        {
            await _capture.CaptureUserMessageAsync(scope, message, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(21, LogLevel.Information, "Session {SessionId}: stored {MessageCount} messages ({TokenCount} tokens).")]
        public static partial void Stored(ILogger logger, string sessionId, int messageCount, int tokenCount);
    }
}
