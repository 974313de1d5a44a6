using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>An <see cref="IKnowledgeStore"/> over a <see cref="SqliteMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// <para>
/// Keys are normalized to lower-case snake_case on write and on lookup ("Favorite Color" and "favoriteColor" are
/// <c>favorite_color</c>); values are stored trimmed. A unique index keeps at most one current entry per owner and key,
/// and every read and write filters by the owner key.
/// </para>
/// <para>
/// Knowledge never goes back in time: a fact supersedes the current one only when its source is newer (source time, then
/// message id); an older one is stored as closed history. <see cref="ForgetAsync"/> erases the value and keeps the row as
/// a marker that the fact was forgotten.
/// </para>
/// <para>
/// <see cref="DeleteBySessionAsync"/> removes the session's entries as if they had never been learned: an older entry
/// that one of them had superseded points at the next surviving entry, or becomes current again when the deleted
/// entry was the current one.
/// </para>
/// </remarks>
public sealed partial class SqliteKnowledgeStore : IKnowledgeStore
{
    private const string Columns =
        "id AS Id, owner_key AS UserId, session_id AS SessionId, key AS Key, value AS Value, source_message_id AS SourceMessageId, " +
        "confidence AS Confidence, valid_from AS ValidFrom, valid_to AS ValidTo, superseded_by AS SupersededBy, created_at AS CreatedAt, forgotten_at AS ForgottenAt";

    private readonly SqliteMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SqliteKnowledgeStore"/> class.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public SqliteKnowledgeStore(SqliteMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<SqliteKnowledgeStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <remarks><see cref="KnowledgeEntry.ValidFrom"/> is the store's clock unless set.</remarks>
    public async Task<KnowledgeEntry> UpsertAsync(KnowledgeEntry entry, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(entry);
        var userId = Throw.IfDefault(entry.Owner, "entry.Owner").Key;
        var key = KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(entry.Key, "entry.Key"), "entry.Key");
        var value = Throw.IfNullOrWhitespace(entry.Value, "entry.Value").Trim();
        var sessionId = entry.SessionId is null ? null : Throw.IfNullOrWhitespace(entry.SessionId, "entry.SessionId");
        Throw.IfOutOfRange(entry.Confidence, 0, 1, "entry.Confidence");
        SqliteStoreSupport.EnsureStorableText(userId, "entry.Owner");
        SqliteStoreSupport.EnsureStorableText(key, "entry.Key");
        SqliteStoreSupport.EnsureStorableText(value, "entry.Value");
        SqliteStoreSupport.EnsureStorableText(sessionId, "entry.SessionId");

        var now = SqliteStoreSupport.NowMs(_timeProvider);
        var validFrom = entry.ValidFrom == default ? now : SqliteStoreSupport.ToUnixMs(entry.ValidFrom);
        var inserted = new KnowledgeRow
        {
            UserId = userId,
            SessionId = sessionId,
            Key = key,
            Value = value,
            SourceMessageId = entry.SourceMessageId,
            Confidence = entry.Confidence,
            ValidFrom = validFrom,
            CreatedAt = now,
        };

        const string HistorySql = $"SELECT {Columns} FROM knowledge_entries WHERE owner_key = @userId AND key = @key;";

        // The old entry is closed before the new one is inserted: the unique index allows one current entry per key.
        const string CloseSql = "UPDATE knowledge_entries SET valid_to = max(valid_from, @validFrom) WHERE id = @id;";
        const string InsertSql = """
            INSERT INTO knowledge_entries (owner_key, session_id, key, value, source_message_id, confidence, valid_from, valid_to, superseded_by, created_at)
            VALUES (@UserId, @SessionId, @Key, @Value, @SourceMessageId, @Confidence, @ValidFrom, @ValidTo, @SupersededBy, @CreatedAt)
            RETURNING id;
            """;
        const string LinkSql = "UPDATE knowledge_entries SET superseded_by = @newId WHERE id = @id;";
        const string RelinkPredecessorSql = "UPDATE knowledge_entries SET superseded_by = @newId, valid_to = max(valid_from, @validFrom) WHERE id = @id;";

        var (result, supersededId, historyId) = await _database.RunInTransactionAsync(
            "record knowledge",
            async (connection, transaction) =>
            {
                var rows = (await connection.QueryAsync<KnowledgeRow>(
                    new CommandDefinition(HistorySql, new { userId, key }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
                var current = rows.FirstOrDefault(r => r.ValidTo is null);
                if (current is not null && KnowledgeOrder.SameValue(current.Value, value))
                {
                    return (current, (long?)null, (long?)null);
                }

                // Re-reading a message from before a forget (a later reduction round, say) must not bring the fact back.
                var lastForget = rows.Where(r => r.ForgottenAt is not null).Select(r => r.ForgottenAt!.Value).DefaultIfEmpty(long.MinValue).Max();
                if (inserted.SourceMessageId is not null && validFrom <= lastForget)
                {
                    return (current ?? rows.Where(r => r.ForgottenAt == lastForget).MaxBy(r => r.Id)!, null, null);
                }

                if (current is not null && IsOlder(validFrom, inserted.SourceMessageId, current))
                {
                    // An older source: the fact becomes history in its place in time, between the entries around it.
                    var live = rows.Where(r => r.ForgottenAt is null).OrderBy(r => r.ValidFrom).ThenBy(r => r.SourceMessageId ?? long.MaxValue).ThenBy(r => r.Id).ToList();
                    var successor = live.First(r => IsOlder(validFrom, inserted.SourceMessageId, r));
                    var predecessor = live.LastOrDefault(r => !IsOlder(validFrom, inserted.SourceMessageId, r));
                    if (KnowledgeOrder.SameValue(successor.Value, value) || (predecessor is not null && KnowledgeOrder.SameValue(predecessor.Value, value)))
                    {
                        return (current, null, null);
                    }

                    inserted.ValidTo = Math.Max(validFrom, successor.ValidFrom);
                    inserted.SupersededBy = successor.Id;
                    inserted.Id = await connection.ExecuteScalarAsync<long>(
                        new CommandDefinition(InsertSql, inserted, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (predecessor is not null && predecessor.SupersededBy == successor.Id)
                    {
                        await connection.ExecuteAsync(
                            new CommandDefinition(RelinkPredecessorSql, new { newId = inserted.Id, validFrom, id = predecessor.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    }

                    return (current, null, (long?)inserted.Id);
                }

                if (current is not null)
                {
                    await connection.ExecuteAsync(
                        new CommandDefinition(CloseSql, new { validFrom, id = current.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                inserted.Id = await connection.ExecuteScalarAsync<long>(
                    new CommandDefinition(InsertSql, inserted, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

                if (current is not null)
                {
                    await connection.ExecuteAsync(
                        new CommandDefinition(LinkSql, new { newId = inserted.Id, id = current.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                await SqliteOutbox.EnqueueAsync(connection, transaction, [new SqliteOutbox.OutboxWrite(userId, sessionId, IndexItemKind.Knowledge, key)], now, cancellationToken).ConfigureAwait(false);
                return (inserted, current?.Id, null);
            },
            cancellationToken).ConfigureAwait(false);

        if (historyId is { } olderId)
        {
            LogStoredAsHistory(_logger, key, olderId, result.Id);
        }

        if (supersededId is { } oldId)
        {
            LogSuperseded(_logger, key, oldId, result.Id);
        }
        else if (ReferenceEquals(result, inserted))
        {
            LogRecorded(_logger, key, result.Id);
        }

        return result.ToEntry();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<KnowledgeEntry>> GetCurrentAsync(MemoryOwner owner, string? key = null, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var normalizedKey = key is null ? null : KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(key), nameof(key));
        var sql = $"SELECT {Columns} FROM knowledge_entries WHERE owner_key = @userId AND valid_to IS NULL" +
                  (normalizedKey is null ? string.Empty : " AND key = @normalizedKey") +
                  " ORDER BY valid_from DESC, id DESC;";
        return QueryAsync("read current knowledge", sql, new { userId, normalizedKey }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(MemoryOwner owner, string key, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var normalizedKey = KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(key), nameof(key));
        const string Sql = $"SELECT {Columns} FROM knowledge_entries WHERE owner_key = @userId AND key = @normalizedKey ORDER BY id;";
        return QueryAsync("read knowledge history", Sql, new { userId, normalizedKey }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<KnowledgeEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        const string Sql = $"SELECT {Columns} FROM knowledge_entries WHERE owner_key = @userId AND id = @id;";
        var rows = await QueryAsync("read knowledge", Sql, new { userId, id }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> ForgetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var now = SqliteStoreSupport.NowMs(_timeProvider);
        const string Sql = """
            UPDATE knowledge_entries SET value = '', forgotten_at = @now, valid_to = coalesce(valid_to, max(valid_from, @now))
            WHERE owner_key = @userId AND id = @id AND forgotten_at IS NULL
            RETURNING key, session_id;
            """;
        var changed = await _database.RunInTransactionAsync(
            "forget knowledge",
            async (connection, transaction) =>
            {
                var forgotten = await connection.QuerySingleOrDefaultAsync<(string Key, string? SessionId)?>(
                    new CommandDefinition(Sql, new { userId, id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (forgotten is not { } row)
                {
                    return 0;
                }

                // The indexer loads the key's current entry: a forgotten current fact leaves the index, a forgotten history entry changes nothing there.
                await SqliteOutbox.EnqueueAsync(
                    connection, transaction, [new SqliteOutbox.OutboxWrite(userId, row.SessionId, IndexItemKind.Knowledge, row.Key)], now, cancellationToken).ConfigureAwait(false);
                return 1;
            },
            cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            LogForgotten(_logger, id);
        }

        return changed > 0;
    }

    /// <inheritdoc />
    public async Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        const string Sql = "DELETE FROM knowledge_entries WHERE owner_key = @userId;";
        return await _database.RunAsync(
            "delete an owner's knowledge",
            connection => connection.ExecuteAsync(new CommandDefinition(Sql, new { userId }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);

        const string DeletedSql = "SELECT id AS Id, superseded_by AS SupersededBy, valid_to AS ValidTo, key AS Key FROM knowledge_entries WHERE owner_key = @userId AND session_id = @sessionId;";
        const string SurvivorsSql = "SELECT id AS Id, superseded_by AS SupersededBy, valid_to AS ValidTo FROM knowledge_entries WHERE owner_key = @userId AND session_id IS NOT @sessionId AND superseded_by IN @ids;";
        const string DeleteSql = "DELETE FROM knowledge_entries WHERE owner_key = @userId AND session_id = @sessionId;";
        const string RelinkSql = "UPDATE knowledge_entries SET superseded_by = @next WHERE id = @id;";
        const string ReopenSql = "UPDATE knowledge_entries SET superseded_by = NULL, valid_to = NULL WHERE id = @id;";

        var deleted = await _database.RunInTransactionAsync(
            "delete a session's knowledge",
            async (connection, transaction) =>
            {
                var doomed = (await connection.QueryAsync<LinkRow>(
                    new CommandDefinition(DeletedSql, new { userId, sessionId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                    .ToDictionary(r => r.Id);
                if (doomed.Count == 0)
                {
                    return 0;
                }

                var survivors = new List<LinkRow>();
                foreach (var ids in doomed.Keys.Chunk(SqliteStoreSupport.IdChunkSize))
                {
                    survivors.AddRange(await connection.QueryAsync<LinkRow>(
                        new CommandDefinition(SurvivorsSql, new { userId, sessionId, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false));
                }

                var count = await connection.ExecuteAsync(
                    new CommandDefinition(DeleteSql, new { userId, sessionId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

                // Each touched key's index item follows whatever is current for the key afterwards (no session: it outlives this one).
                var keys = doomed.Values.Select(r => r.Key).Distinct(StringComparer.Ordinal)
                    .Select(k => new SqliteOutbox.OutboxWrite(userId, null, IndexItemKind.Knowledge, k, IndexOperation.Delete)).ToList();
                await SqliteOutbox.EnqueueAsync(connection, transaction, keys, SqliteStoreSupport.NowMs(_timeProvider), cancellationToken).ConfigureAwait(false);

                foreach (var survivor in survivors)
                {
                    // Walk past the deleted entries to the next surviving one; if the chain ends in a deleted current entry,
                    // the survivor was the fact before it and is current again.
                    long? next = survivor.SupersededBy;
                    var endedCurrent = false;
                    while (next is { } n && doomed.TryGetValue(n, out var gone))
                    {
                        next = gone.SupersededBy;
                        endedCurrent = gone.SupersededBy is null && gone.ValidTo is null;
                    }

                    var (sql, args) = next is not null || !endedCurrent
                        ? (RelinkSql, (object)new { next, id = survivor.Id })
                        : (ReopenSql, new { id = survivor.Id });
                    await connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return count;
            },
            cancellationToken).ConfigureAwait(false);

        LogDeletedBySession(_logger, deleted, sessionId);
        return deleted;
    }

    internal SqliteMemoryDatabase Database => _database;

    /// <summary>Whether a fact from (<paramref name="validFrom"/>, <paramref name="sourceMessageId"/>) is older than <paramref name="row"/>.</summary>
    private static bool IsOlder(long validFrom, long? sourceMessageId, KnowledgeRow row)
        => KnowledgeOrder.IsOlder(validFrom, sourceMessageId, row.ValidFrom, row.SourceMessageId);

    private Task<IReadOnlyList<KnowledgeEntry>> QueryAsync(string operation, string sql, object parameters, CancellationToken cancellationToken)
        => _database.RunAsync<IReadOnlyList<KnowledgeEntry>>(
            operation,
            async connection =>
            {
                var rows = await connection.QueryAsync<KnowledgeRow>(
                    new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.Select(r => r.ToEntry()).ToList();
            },
            cancellationToken);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Recorded knowledge '{Key}' as entry {Id}.")]
    private static partial void LogRecorded(ILogger logger, string key, long id);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Knowledge '{Key}': entry {OldId} superseded by {NewId}.")]
    private static partial void LogSuperseded(ILogger logger, string key, long oldId, long newId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Forgot knowledge entry {Id} (value erased).")]
    private static partial void LogForgotten(ILogger logger, long id);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Knowledge '{Key}': entry {OlderId} has an older source than current entry {CurrentId}; stored as history.")]
    private static partial void LogStoredAsHistory(ILogger logger, string key, long olderId, long currentId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Deleted {Count} knowledge entries learned in session {SessionId}.")]
    private static partial void LogDeletedBySession(ILogger logger, int count, string sessionId);

    private sealed class KnowledgeRow
    {
        public long Id { get; set; }

        public string UserId { get; set; } = string.Empty;

        public string? SessionId { get; set; }

        public string Key { get; set; } = string.Empty;

        public string Value { get; set; } = string.Empty;

        public long? SourceMessageId { get; set; }

        public double Confidence { get; set; }

        public long ValidFrom { get; set; }

        public long? ValidTo { get; set; }

        public long? SupersededBy { get; set; }

        public long CreatedAt { get; set; }

        public long? ForgottenAt { get; set; }

        public KnowledgeEntry ToEntry() => new()
        {
            Id = Id,
            Owner = MemoryOwner.FromKey(UserId),
            SessionId = SessionId,
            Key = Key,
            Value = Value,
            SourceMessageId = SourceMessageId,
            Confidence = Confidence,
            ValidFrom = SqliteStoreSupport.FromUnixMs(ValidFrom),
            ValidTo = SqliteStoreSupport.FromUnixMs(ValidTo),
            SupersededBy = SupersededBy,
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            ForgottenAt = SqliteStoreSupport.FromUnixMs(ForgottenAt),
        };
    }

    private sealed class LinkRow
    {
        public long Id { get; set; }

        public string Key { get; set; } = string.Empty;

        public long? SupersededBy { get; set; }

        public long? ValidTo { get; set; }
    }
}
