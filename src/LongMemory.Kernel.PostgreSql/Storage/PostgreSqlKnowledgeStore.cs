using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>An <see cref="IKnowledgeStore"/> over a <see cref="PostgreSqlMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// <para>
/// The same rules as the SQLite store: keys are normalized to lower-case snake_case ("Favorite Color" and
/// "favoriteColor" are <c>favorite_color</c>), values are stored trimmed, a partial unique index keeps at most one current
/// entry per owner and key, and every statement filters by the owner key. A fact supersedes the current one only when
/// its source is newer (source time, then message id); an older one is stored as closed history. Forgetting erases the
/// value and keeps the row as a marker. Every change writes its indexing outbox entry in the same transaction.
/// </para>
/// <para>
/// Several app instances may write one owner's knowledge at once. Each writing transaction first takes a
/// transaction-scoped advisory lock keyed by the schema and the owner, so the read-decide-write of a fact runs as if
/// serialized (as SQLite's single writer does) and two upserts of one key never both close the same current entry.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlKnowledgeStore : IKnowledgeStore
{
    private const string Columns =
        "id AS Id, owner_key AS OwnerKey, session_id AS SessionId, key AS Key, value AS Value, source_message_id AS SourceMessageId, " +
        "confidence AS Confidence, valid_from AS ValidFrom, valid_to AS ValidTo, superseded_by AS SupersededBy, created_at AS CreatedAt, forgotten_at AS ForgottenAt";

    private readonly PostgreSqlMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _table;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlKnowledgeStore"/> class.</summary>
    /// <param name="database">The database (its migrations run on first use).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public PostgreSqlKnowledgeStore(PostgreSqlMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<PostgreSqlKnowledgeStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _table = database.QuotedSchema + ".knowledge_entries";
    }

    /// <summary>Gets the database.</summary>
    public PostgreSqlMemoryDatabase Database => _database;

    /// <inheritdoc />
    /// <remarks><see cref="KnowledgeEntry.ValidFrom"/> is the store's clock unless set; times are kept to the millisecond.</remarks>
    public async Task<KnowledgeEntry> UpsertAsync(KnowledgeEntry entry, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(entry);
        var ownerKey = Throw.IfDefault(entry.Owner, "entry.Owner").Key;
        var key = KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(entry.Key, "entry.Key"), "entry.Key");
        var value = Throw.IfNullOrWhitespace(entry.Value, "entry.Value").Trim();
        var sessionId = entry.SessionId is null ? null : Throw.IfNullOrWhitespace(entry.SessionId, "entry.SessionId");
        Throw.IfOutOfRange(entry.Confidence, 0, 1, "entry.Confidence");
        KnowledgeSideText.EnsureStorable(ownerKey, "entry.Owner");
        KnowledgeSideText.EnsureStorable(key, "entry.Key");
        KnowledgeSideText.EnsureStorable(value, "entry.Value");
        KnowledgeSideText.EnsureStorable(sessionId, "entry.SessionId");
        var dbOwner = PostgreSqlText.Encode(ownerKey);

        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var validFrom = entry.ValidFrom == default ? now : PostgreSqlStoreSupport.ToDb(entry.ValidFrom).UtcDateTime;
        var inserted = new KnowledgeRow
        {
            OwnerKey = ownerKey,
            SessionId = sessionId,
            Key = key,
            Value = value,
            SourceMessageId = entry.SourceMessageId,
            Confidence = entry.Confidence,
            ValidFrom = validFrom,
            CreatedAt = now,
        };

        var historySql = $"SELECT {Columns} FROM {_table} WHERE owner_key = @ownerKey AND key = @key ORDER BY id;";

        // The old entry is closed before the new one is inserted: the unique index allows one current entry per key.
        var closeSql = $"UPDATE {_table} SET valid_to = greatest(valid_from, @validFrom) WHERE owner_key = @ownerKey AND id = @id;";
        var insertSql = $"""
            INSERT INTO {_table} (owner_key, session_id, key, value, source_message_id, confidence, valid_from, valid_to, superseded_by, created_at)
            VALUES (@OwnerKey, @SessionId, @Key, @Value, @SourceMessageId, @Confidence, @ValidFrom, @ValidTo, @SupersededBy, @CreatedAt)
            RETURNING id;
            """;
        var linkSql = $"UPDATE {_table} SET superseded_by = @newId WHERE owner_key = @ownerKey AND id = @id;";
        var relinkPredecessorSql = $"UPDATE {_table} SET superseded_by = @newId, valid_to = greatest(valid_from, @validFrom) WHERE owner_key = @ownerKey AND id = @id;";

        var (result, supersededId, historyId) = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await LockOwnerAsync(connection, transaction, ownerKey, ct).ConfigureAwait(false);
                var rows = (await connection.QueryAsync<KnowledgeRow>(
                    new CommandDefinition(historySql, new { ownerKey = dbOwner, key }, transaction, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.Decoded()).ToList();
                var current = rows.FirstOrDefault(r => r.ValidTo is null);
                if (current is not null && KnowledgeOrder.SameValue(current.Value, value))
                {
                    return (current, (long?)null, (long?)null);
                }

                // Re-reading a message from before a forget (a later reduction round, say) must not bring the fact back.
                var lastForget = rows.Where(r => r.ForgottenAt is not null).Select(r => r.ForgottenAt!.Value).DefaultIfEmpty(DateTime.MinValue).Max();
                if (inserted.SourceMessageId is not null && rows.Any(r => r.ForgottenAt is not null) && validFrom <= lastForget)
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

                    inserted.ValidTo = validFrom > successor.ValidFrom ? validFrom : successor.ValidFrom;
                    inserted.SupersededBy = successor.Id;
                    inserted.Id = await connection.ExecuteScalarAsync<long>(
                        new CommandDefinition(insertSql, inserted.ToParameters(), transaction, cancellationToken: ct)).ConfigureAwait(false);
                    if (predecessor is not null && predecessor.SupersededBy == successor.Id)
                    {
                        await connection.ExecuteAsync(new CommandDefinition(
                            relinkPredecessorSql, new { newId = inserted.Id, validFrom, ownerKey = dbOwner, id = predecessor.Id }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                    }

                    return (current, null, (long?)inserted.Id);
                }

                if (current is not null)
                {
                    await connection.ExecuteAsync(
                        new CommandDefinition(closeSql, new { validFrom, ownerKey = dbOwner, id = current.Id }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                }

                inserted.Id = await connection.ExecuteScalarAsync<long>(
                    new CommandDefinition(insertSql, inserted.ToParameters(), transaction, cancellationToken: ct)).ConfigureAwait(false);

                if (current is not null)
                {
                    await connection.ExecuteAsync(
                        new CommandDefinition(linkSql, new { newId = inserted.Id, ownerKey = dbOwner, id = current.Id }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                }

                await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, [new(ownerKey, sessionId, IndexItemKind.Knowledge, key)], PostgreSqlStoreSupport.FromDb(now), ct).ConfigureAwait(false);
                return (inserted, current?.Id, null);
            },
            "record knowledge",
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
        var dbOwner = PostgreSqlText.Encode(userId);
        var normalizedKey = key is null ? null : KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(key), nameof(key));
        var sql = $"SELECT {Columns} FROM {_table} WHERE owner_key = @userId AND valid_to IS NULL" +
                  (normalizedKey is null ? string.Empty : " AND key = @normalizedKey") +
                  " ORDER BY valid_from DESC, id DESC;";
        return QueryAsync("read current knowledge", sql, new { userId = dbOwner, normalizedKey }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(MemoryOwner owner, string key, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var normalizedKey = KnowledgeKey.Normalize(Throw.IfNullOrWhitespace(key), nameof(key));
        var sql = $"SELECT {Columns} FROM {_table} WHERE owner_key = @userId AND key = @normalizedKey ORDER BY id;";
        return QueryAsync("read knowledge history", sql, new { userId = dbOwner, normalizedKey }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<KnowledgeEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var sql = $"SELECT {Columns} FROM {_table} WHERE owner_key = @userId AND id = @id;";
        var rows = await QueryAsync("read knowledge", sql, new { userId = dbOwner, id }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> ForgetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var sql = $"""
            UPDATE {_table} SET value = '', forgotten_at = @now, valid_to = coalesce(valid_to, greatest(valid_from, @now))
            WHERE owner_key = @userId AND id = @id AND forgotten_at IS NULL
            RETURNING key AS Key, session_id AS SessionId;
            """;
        var changed = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await LockOwnerAsync(connection, transaction, userId, ct).ConfigureAwait(false);
                var forgotten = await connection.QuerySingleOrDefaultAsync<ForgottenRow>(
                    new CommandDefinition(sql, new { userId = dbOwner, id, now }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (forgotten is null)
                {
                    return 0;
                }

                // The indexer loads the key's current entry: a forgotten current fact leaves the index, a forgotten history entry changes nothing there.
                await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, [new(userId, PostgreSqlText.Decode(forgotten.SessionId), IndexItemKind.Knowledge, forgotten.Key)], PostgreSqlStoreSupport.FromDb(now), ct).ConfigureAwait(false);
                return 1;
            },
            "forget knowledge",
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
        var dbOwner = PostgreSqlText.Encode(userId);
        var sql = $"DELETE FROM {_table} WHERE owner_key = @userId;";
        return await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await LockOwnerAsync(connection, transaction, userId, ct).ConfigureAwait(false);
                return await connection.ExecuteAsync(new CommandDefinition(sql, new { userId = dbOwner }, transaction, cancellationToken: ct)).ConfigureAwait(false);
            },
            "delete an owner's knowledge",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The session's entries go as if they had never been learned: an older entry that one of them had superseded points
    /// at the next surviving entry, or becomes current again when the deleted entry was the current one.
    /// </remarks>
    public async Task<int> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        Throw.IfNullOrWhitespace(sessionId);
        var dbSession = PostgreSqlText.Encode(sessionId);

        var deletedSql = $"SELECT id AS Id, superseded_by AS SupersededBy, valid_to AS ValidTo, key AS Key FROM {_table} WHERE owner_key = @userId AND session_id = @sessionId;";
        var survivorsSql = $"""
            SELECT id AS Id, superseded_by AS SupersededBy, valid_to AS ValidTo, key AS Key FROM {_table}
            WHERE owner_key = @userId AND session_id IS DISTINCT FROM @sessionId AND superseded_by = ANY(@ids);
            """;
        var deleteSql = $"DELETE FROM {_table} WHERE owner_key = @userId AND session_id = @sessionId;";
        var relinkSql = $"UPDATE {_table} SET superseded_by = @next WHERE owner_key = @userId AND id = @id;";
        var reopenSql = $"UPDATE {_table} SET superseded_by = NULL, valid_to = NULL WHERE owner_key = @userId AND id = @id;";

        var deleted = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                await LockOwnerAsync(connection, transaction, userId, ct).ConfigureAwait(false);
                var doomed = (await connection.QueryAsync<LinkRow>(
                    new CommandDefinition(deletedSql, new { userId = dbOwner, sessionId = dbSession }, transaction, cancellationToken: ct)).ConfigureAwait(false))
                    .ToDictionary(r => r.Id);
                if (doomed.Count == 0)
                {
                    return 0;
                }

                var ids = doomed.Keys.ToArray();
                var survivors = (await connection.QueryAsync<LinkRow>(
                    new CommandDefinition(survivorsSql, new { userId = dbOwner, sessionId = dbSession, ids }, transaction, cancellationToken: ct)).ConfigureAwait(false)).ToList();

                var count = await connection.ExecuteAsync(
                    new CommandDefinition(deleteSql, new { userId = dbOwner, sessionId = dbSession }, transaction, cancellationToken: ct)).ConfigureAwait(false);

                // Each touched key's index item follows whatever is current for the key afterwards (no session: it outlives this one).
                var keys = doomed.Values.Select(r => r.Key).Distinct(StringComparer.Ordinal)
                    .Select(k => new PostgreSqlOutbox.OutboxWrite(userId, null, IndexItemKind.Knowledge, k, IndexOperation.Delete)).ToList();
                await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, keys, PostgreSqlStoreSupport.Now(_timeProvider), ct).ConfigureAwait(false);

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
                        ? (relinkSql, (object)new { next, userId = dbOwner, id = survivor.Id })
                        : (reopenSql, new { userId = dbOwner, id = survivor.Id });
                    await connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: ct)).ConfigureAwait(false);
                }

                return count;
            },
            "delete a session's knowledge",
            cancellationToken).ConfigureAwait(false);

        LogDeletedBySession(_logger, deleted, sessionId);
        return deleted;
    }

    /// <summary>Takes the owner's knowledge write lock (schema and owner) for the rest of the transaction.</summary>
    internal static Task LockOwnerAsync(PostgreSqlMemoryDatabase database, NpgsqlConnection connection, NpgsqlTransaction transaction, string ownerKey, CancellationToken cancellationToken)
        => PostgreSqlMemoryDatabase.ExecuteAsync(
            connection, transaction, "SELECT pg_advisory_xact_lock($1, hashtext($2));", cancellationToken,
            PostgreSqlMemoryDatabase.AdvisoryLockClass, PostgreSqlText.Encode("knowledge:" + database.Schema + ":" + ownerKey));

    private Task LockOwnerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string ownerKey, CancellationToken cancellationToken)
        => LockOwnerAsync(_database, connection, transaction, ownerKey, cancellationToken);

    /// <summary>Whether a fact from (<paramref name="validFrom"/>, <paramref name="sourceMessageId"/>) is older than <paramref name="row"/>.</summary>
    private static bool IsOlder(DateTime validFrom, long? sourceMessageId, KnowledgeRow row)
        => KnowledgeOrder.IsOlder(validFrom, sourceMessageId, row.ValidFrom, row.SourceMessageId);

    private Task<IReadOnlyList<KnowledgeEntry>> QueryAsync(string operation, string sql, object parameters, CancellationToken cancellationToken)
        => _database.RunAsync<IReadOnlyList<KnowledgeEntry>>(
            async (connection, ct) =>
            {
                var rows = await connection.QueryAsync<KnowledgeRow>(new CommandDefinition(sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.Decoded().ToEntry()).ToList();
            },
            operation,
            cancellationToken);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Recorded knowledge '{Key}' as entry {Id}.")]
    private static partial void LogRecorded(ILogger logger, string key, long id);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Knowledge '{Key}': entry {OldId} superseded by {NewId}.")]
    private static partial void LogSuperseded(ILogger logger, string key, long oldId, long newId);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Forgot knowledge entry {Id} (value erased).")]
    private static partial void LogForgotten(ILogger logger, long id);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Deleted {Count} knowledge entries learned in session {SessionId}.")]
    private static partial void LogDeletedBySession(ILogger logger, int count, string sessionId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Knowledge '{Key}': entry {OlderId} has an older source than current entry {CurrentId}; stored as history.")]
    private static partial void LogStoredAsHistory(ILogger logger, string key, long olderId, long currentId);

    private sealed class KnowledgeRow
    {
        public long Id { get; set; }

        public string OwnerKey { get; set; } = string.Empty;

        public string? SessionId { get; set; }

        public string Key { get; set; } = string.Empty;

        public string Value { get; set; } = string.Empty;

        public long? SourceMessageId { get; set; }

        public double Confidence { get; set; }

        public DateTime ValidFrom { get; set; }

        public DateTime? ValidTo { get; set; }

        public long? SupersededBy { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime? ForgottenAt { get; set; }

        /// <summary>Decodes the text read from the table (see <see cref="PostgreSqlText"/>); rows in memory hold plain text.</summary>
        public KnowledgeRow Decoded()
        {
            OwnerKey = PostgreSqlText.DecodeRequired(OwnerKey);
            SessionId = PostgreSqlText.Decode(SessionId);
            Value = PostgreSqlText.DecodeRequired(Value);
            return this;
        }

        /// <summary>Gets the parameters of the insert, text encoded.</summary>
        public object ToParameters() => new
        {
            OwnerKey = PostgreSqlText.Encode(OwnerKey),
            SessionId = PostgreSqlText.Encode(SessionId),
            Key,
            Value = PostgreSqlText.Encode(Value),
            SourceMessageId,
            Confidence,
            ValidFrom,
            ValidTo,
            SupersededBy,
            CreatedAt,
        };

        public KnowledgeEntry ToEntry() => new()
        {
            Id = Id,
            Owner = MemoryOwner.FromKey(OwnerKey),
            SessionId = SessionId,
            Key = Key,
            Value = Value,
            SourceMessageId = SourceMessageId,
            Confidence = Confidence,
            ValidFrom = PostgreSqlStoreSupport.FromDb(ValidFrom),
            ValidTo = PostgreSqlStoreSupport.FromDb(ValidTo),
            SupersededBy = SupersededBy,
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            ForgottenAt = PostgreSqlStoreSupport.FromDb(ForgottenAt),
        };
    }

    private sealed class LinkRow
    {
        public long Id { get; set; }

        public string Key { get; set; } = string.Empty;

        public long? SupersededBy { get; set; }

        public DateTime? ValidTo { get; set; }
    }

    private sealed class ForgottenRow
    {
        public string Key { get; set; } = string.Empty;

        public string? SessionId { get; set; }
    }
}
