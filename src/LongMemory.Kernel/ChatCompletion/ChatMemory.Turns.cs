using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// <see cref="AddMessagesAsync"/> for the chat middleware: the same storing, indexing and knowledge capture, with the
    /// idempotency key and the incomplete flag kept in each message's metadata. A message whose key the session's newest
    /// messages (<paramref name="recent"/>, read by the caller under its turn lock, or read here) already hold is not
    /// stored again (the stored one is returned).
    /// </summary>
    /// <remarks>
    /// Part of <see cref="ChatMemoryTurnAdapter"/>. The store's append is idempotent on <c>NewMessage.IdempotencyKey</c>
    /// (duplicates across processes are refused there); the check against the newest messages spares the round trip.
    /// </remarks>
    internal async Task<IReadOnlyList<StoredMessage>> AppendTurnMessagesAsync(MemoryScope scope, IReadOnlyList<TurnMessage> messages, IReadOnlyList<StoredMessage>? recent, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        recent ??= await Messages.GetMessagesAsync(scope.Owner, session.Id, new MessageQuery { Newest = true, Take = 64 }, cancellationToken).ConfigureAwait(false);
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

            var mapped = StoredMessageMapper.ToNewMessage(turn.Message, TokenCounter.CountTokens([turn.Message]), turn.Message.CreatedAt ?? now);
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
            var stored = await Messages.AppendMessagesAsync(scope.Owner, session.Id, toStore, cancellationToken).ConfigureAwait(false);
            Log.Stored(_logger, session.Id, stored.Count, stored.Sum(m => m.TokenCount));
            for (var i = 0; i < stored.Count; i++)
            {
                result[positions[i]] = stored[i];
            }

            // Stored with their outbox entries in one transaction: the one write path indexes them (inline or in the background).
            await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);

            if (Options.CaptureKnowledgeOnEveryMessage)
            {
                foreach (var message in stored.Where(m => m.Role == ChatRole.User && m.MessageType == StoredMessageType.Chat))
                {
                    await KnowledgeCapture.CaptureUserMessageAsync(scope, message, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return result.Select(m => m!).ToList();
    }
}
