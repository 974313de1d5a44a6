using System.Globalization;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Recall: hybrid search over a scope's index items, the scope's session ranked above the owner's other sessions,
/// soft-deleted sessions left out, message chunks folded back into their messages, and optionally each hit's
/// neighbouring turns. Used by <see cref="ScopedMemory.RecallAsync"/>, the memory tools and context assembly.
/// </summary>
internal sealed class MemoryRecaller
{
    private readonly ISessionStore _sessions;
    private readonly IMessageStore _messages;
    private readonly IMemoryIndex _index;
    private readonly IQueryEmbedder _embedder;
    private readonly double _currentSessionBoost;

    /// <param name="sessions">The session store (ownership and soft-delete checks).</param>
    /// <param name="messages">The message store (hit messages and their neighbours).</param>
    /// <param name="index">The memory index.</param>
    /// <param name="embedder">Start-up and query vectors.</param>
    /// <param name="currentSessionBoost">The score factor of the scope's own session (<see cref="ChatMemoryOptions.CurrentSessionBoost"/>).</param>
    /// <param name="defaultVectorWeight">The vector weight unless a request sets one (<see cref="ChatMemoryOptions.DefaultVectorWeight"/>, resolved).</param>
    public MemoryRecaller(ISessionStore sessions, IMessageStore messages, IMemoryIndex index, IQueryEmbedder embedder, double currentSessionBoost, double defaultVectorWeight)
    {
        _sessions = sessions;
        _messages = messages;
        _index = index;
        _embedder = embedder;
        _currentSessionBoost = currentSessionBoost;
        DefaultVectorWeight = defaultVectorWeight;
    }

    /// <summary>Gets the vector weight (against a keyword weight of 1) used unless <see cref="RecallOptions.VectorWeight"/> is set.</summary>
    public double DefaultVectorWeight { get; }

    /// <summary>
    /// Recalls what the scope's memory holds about a query: hybrid (keyword + vector) search over the chosen collections,
    /// the scope's session ranked above the user's other sessions, soft-deleted sessions left out, message chunks folded
    /// back into their messages, and optionally each hit's neighbouring turns.
    /// </summary>
    /// <param name="scope">The scope (its session is the "current" one).</param>
    /// <param name="query">The query text (any text; never parsed as query syntax).</param>
    /// <param name="options">What to search and how many hits.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The hits, best first.</returns>
    public async Task<IReadOnlyList<RecallHit>> RecallAsync(MemoryScope scope, string query, RecallOptions? options = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNullOrWhitespace(query);
        options ??= new RecallOptions();
        Throw.IfLessThan(options.TopK, 1, nameof(options.TopK));
        foreach (var collection in options.Collections)
        {
            MemoryCollections.Validate(collection, nameof(options));
        }

        await _embedder.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (scope.SessionId is not null)
        {
            // A scope naming a session that is soft-deleted (or not the owner's) recalls nothing: without this check the
            // session's own items passed the active-session filter below, which only looks at the scope's other sessions.
            await _sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        }

        var vector = await _embedder.EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        return await RecallCoreAsync(scope, query, vector, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Recall with the query already embedded and the session already checked (context assembly runs several at once).</summary>
    public async Task<IReadOnlyList<RecallHit>> RecallCoreAsync(MemoryScope scope, string query, ReadOnlyMemory<float> vector, RecallOptions options, CancellationToken cancellationToken)
    {
        var sessionOnly = !options.AcrossSessions || scope.UserId is null;
        var filter = new MemoryFilter(scope.Owner.Key)
        {
            SessionId = sessionOnly ? scope.SessionId : null,
            Collections = options.Collections,
        };
        var excluded = options.ExcludeMessageIds;

        // Hits on excluded messages (the recent window) are dropped after the search, so fetch some spare; only when the
        // spare runs out is the search repeated deeper, instead of always fetching as many extra hits as there are
        // excluded messages.
        var fetch = options.TopK * 3;
        IReadOnlyList<MemoryHit> hits;
        while (true)
        {
            hits = await _index.SearchAsync(
                new MemorySearchRequest(filter)
                {
                    QueryText = query,
                    QueryVector = vector,
                    Top = fetch,
                    MinScore = options.MinScore,
                    KeywordWeight = options.KeywordWeight,
                    VectorWeight = options.VectorWeight ?? DefaultVectorWeight,
                },
                cancellationToken).ConfigureAwait(false);
            if (excluded is null || excluded.Count == 0 || hits.Count < fetch || fetch >= options.TopK * 3 + excluded.Count
                || hits.Count(h => !IsExcluded(h)) >= options.TopK * 2)
            {
                break;
            }

            fetch = Math.Min(fetch * 4, options.TopK * 3 + excluded.Count);
        }

        // Soft-deleted sessions are hidden from recall: one lookup for every other session among the hits.
        var otherSessions = hits.Select(h => h.Item.SessionId).OfType<string>().Where(id => id != scope.SessionId).ToHashSet(StringComparer.Ordinal);
        var activeSessions = otherSessions.Count == 0
            ? []
            : (await _sessions.GetSessionsAsync(scope.Owner, otherSessions, includeDeleted: false, cancellationToken).ConfigureAwait(false)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        var byKey = new Dictionary<string, (MemoryHit Hit, double Score, long? MessageId)>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            var item = hit.Item;
            if (item.SessionId is { } sid && sid != scope.SessionId && !activeSessions.Contains(sid))
            {
                continue;
            }

            long? messageId = item.Payload.TryGetValue("message_id", out var m) && long.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            if (messageId is { } id && excluded is not null && excluded.Contains(id))
            {
                continue;
            }

            var score = hit.Score * (item.SessionId is not null && item.SessionId == scope.SessionId ? _currentSessionBoost : 1.0);
            var key = messageId is { } mid ? "m" + mid.ToString(CultureInfo.InvariantCulture) : item.Collection + "\n" + item.Id;
            if (!byKey.TryGetValue(key, out var current) || current.Score < score)
            {
                byKey[key] = (hit, score, messageId);
            }
        }

        var top = byKey.Values.OrderByDescending(v => v.Score).Take(options.TopK).ToList();

        // The hit messages (whole text, all chunks) and their neighbouring turns, in one round trip.
        var messageIds = top.Where(t => t.MessageId is not null).Select(t => t.MessageId!.Value).ToList();
        var loaded = messageIds.Count == 0
            ? []
            : await _messages.GetMessagesWithNeighborsAsync(scope.Owner, messageIds, options.NeighborTurns, options.NeighborTurns, cancellationToken).ConfigureAwait(false);
        var messages = loaded.ToDictionary(x => x.Id);
        var bySession = loaded.GroupBy(x => x.SessionId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(x => x.Id).ToList(), StringComparer.Ordinal);

        var results = new List<RecallHit>(top.Count);
        foreach (var (hit, score, messageId) in top)
        {
            // A message id from the payload must belong to the item's own session (and so to the scope's owner).
            StoredMessage? message = messageId is { } id && messages.TryGetValue(id, out var found) && found.SessionId == hit.Item.SessionId ? found : null;
            IReadOnlyList<StoredMessage> neighbors = [];
            if (message is not null && options.NeighborTurns > 0)
            {
                var session = bySession[message.SessionId];
                var at = session.FindIndex(x => x.Id == message.Id);
                var from = Math.Max(0, at - options.NeighborTurns);
                var to = Math.Min(session.Count - 1, at + options.NeighborTurns);
                neighbors = session.GetRange(from, to - from + 1).Where(x => x.Id == message.Id || x.Role == ChatRole.User || x.Role == ChatRole.Assistant).ToList();
            }

            results.Add(new RecallHit
            {
                Item = hit.Item,
                Score = score,
                VectorSimilarity = hit.VectorSimilarity,
                KeywordRank = hit.KeywordRank,
                FromCurrentSession = hit.Item.SessionId is not null && hit.Item.SessionId == scope.SessionId,
                MessageId = messageId,
                Text = message?.Content ?? DisplayText(hit.Item),
                Role = message?.Role.Value ?? (hit.Item.Payload.TryGetValue("role", out var role) ? role : null),
                Neighbors = neighbors,
            });
        }

        return results;

        bool IsExcluded(MemoryHit hit)
            => hit.Item.Payload.TryGetValue("message_id", out var text)
               && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
               && excluded!.Contains(id);
    }

    /// <summary>Knowledge items are indexed with search hints; recall shows them as "key: value".</summary>
    private static string DisplayText(MemoryItem item)
        => item.Collection == MemoryCollections.Knowledge && item.Payload.TryGetValue("key", out var key) && item.Payload.TryGetValue("value", out var value)
            ? key.Replace('_', ' ') + ": " + value
            : item.Text;
}
