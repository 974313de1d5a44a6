using Dapper;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// The SQL of the <c>index_outbox</c> table, shared by every PostgreSQL store: writers add entries inside their own
/// transaction (<see cref="EnqueueAsync"/>); <see cref="PostgreSqlSessionStore"/> exposes the claim side as <see cref="IIndexOutbox"/>.
/// </summary>
/// <remarks>
/// Claims take the due rows with <c>FOR UPDATE SKIP LOCKED</c> and set their lease in the same statement, so concurrent
/// claimers (threads, processes, app instances) never receive the same entry while its lease runs; a row another claimer
/// updated after this statement's snapshot is re-checked against the lease when it is locked.
/// </remarks>
internal static class PostgreSqlOutbox
{
    /// <summary>
    /// Adds entries in the caller's transaction. A pending, unclaimed entry for the same source already covers a change of
    /// any kind but a message (which is new when written), so none is added then.
    /// </summary>
    /// <param name="database">The database (for the schema name).</param>
    /// <param name="connection">The caller's connection.</param>
    /// <param name="transaction">The caller's transaction, which also writes the source rows.</param>
    /// <param name="writes">The entries.</param>
    /// <param name="now">The writer's clock.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public static async Task EnqueueAsync(
        PostgreSqlMemoryDatabase database, NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<OutboxWrite> writes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var schema = database.QuotedSchema;
        var insertSql = $"""
            INSERT INTO {schema}.index_outbox (owner_key, session_id, kind, source_id, op, state, attempts, created_at)
            VALUES (@OwnerKey, @SessionId, @Kind, @SourceId, @Op, 'pending', 0, @Now);
            """;
        var coalescingSql = $"""
            INSERT INTO {schema}.index_outbox (owner_key, session_id, kind, source_id, op, state, attempts, created_at)
            SELECT @OwnerKey, @SessionId, @Kind, @SourceId, @Op, 'pending', 0, @Now
            WHERE NOT EXISTS (SELECT 1 FROM {schema}.index_outbox
                              WHERE kind = @Kind AND owner_key = @OwnerKey AND source_id = @SourceId AND state = 'pending' AND claimed_until IS NULL);
            """;
        var at = PostgreSqlStoreSupport.ToDb(now);
        foreach (var write in writes)
        {
            var sql = write.Kind == IndexItemKind.Message ? insertSql : coalescingSql;
            await connection.ExecuteAsync(new CommandDefinition(
                sql,
                new { OwnerKey = PostgreSqlText.Encode(write.OwnerKey), SessionId = PostgreSqlText.Encode(write.SessionId), Kind = KindToDb(write.Kind), SourceId = PostgreSqlText.Encode(write.SourceId), Op = write.Operation == IndexOperation.Delete ? "delete" : "upsert", Now = at },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    public static Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(PostgreSqlMemoryDatabase database, int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        Throw.IfLessThan(maxCount, 1);
        if (lease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "The lease must be positive.");
        }

        var at = PostgreSqlStoreSupport.ToDb(now);
        var until = PostgreSqlStoreSupport.ToDb(now + lease);
        var sql = $"""
            UPDATE {database.QuotedSchema}.index_outbox o SET claimed_until = @until
            FROM (SELECT id FROM {database.QuotedSchema}.index_outbox
                  WHERE state <> 'dead' AND (retry_at IS NULL OR retry_at <= @at) AND (claimed_until IS NULL OR claimed_until <= @at)
                  ORDER BY id LIMIT @maxCount
                  FOR UPDATE SKIP LOCKED) due
            WHERE o.id = due.id
            RETURNING o.id AS Id, o.owner_key AS OwnerKey, o.session_id AS SessionId, o.kind AS Kind, o.source_id AS SourceId, o.op AS Op, o.attempts AS Attempts;
            """;
        return database.RunInTransactionAsync<IReadOnlyList<IndexOutboxEntry>>(
            async (connection, transaction, ct) =>
            {
                var rows = await connection.QueryAsync<EntryRow>(
                    new CommandDefinition(sql, new { at, until, maxCount }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.ToEntry()).OrderBy(e => e.Id).ToList();
            },
            "claim indexing work",
            cancellationToken);
    }

    public static Task CompleteAsync(PostgreSqlMemoryDatabase database, IReadOnlyList<long> entryIds, CancellationToken cancellationToken)
    {
        Throw.IfNull(entryIds);
        if (entryIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        var ids = entryIds.Distinct().ToArray();
        var sql = $"""
            WITH done AS (DELETE FROM {database.QuotedSchema}.index_outbox WHERE id = ANY(@ids) RETURNING kind, source_id)
            UPDATE {database.QuotedSchema}.messages SET index_state = 'indexed', index_error = NULL, index_retry_at = NULL
            WHERE id IN (SELECT CASE WHEN kind = 'message' THEN source_id::bigint END FROM done WHERE kind = 'message');
            """;
        return database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { ids }, cancellationToken: ct)),
            "complete indexing work",
            cancellationToken);
    }

    public static Task FailAsync(PostgreSqlMemoryDatabase database, IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken)
    {
        Throw.IfNull(entryIds);
        Throw.IfNull(error);
        Throw.IfLessThan(maxAttempts, 1);
        if (entryIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        // The error text is ours (exception type and message), but keep it storable and bounded.
        var text = error.Length > 2000 ? error[..2000] : error;
        if (text.Length > 0 && char.IsHighSurrogate(text[^1]))
        {
            text = text[..^1];
        }

        var ids = entryIds.Distinct().ToArray();
        var at = PostgreSqlStoreSupport.ToDb(retryAt);
        var sql = $"""
            WITH failed AS (
                UPDATE {database.QuotedSchema}.index_outbox
                SET attempts = attempts + 1, error = @text, retry_at = @at, claimed_until = NULL,
                    state = CASE WHEN attempts + 1 >= @maxAttempts THEN 'dead' ELSE 'failed' END
                WHERE id = ANY(@ids)
                RETURNING kind, source_id, state, attempts, error, retry_at)
            UPDATE {database.QuotedSchema}.messages m
            SET index_state = f.state, index_attempts = f.attempts, index_error = f.error, index_retry_at = f.retry_at
            FROM (SELECT CASE WHEN kind = 'message' THEN source_id::bigint END AS message_id, state, attempts, error, retry_at
                  FROM failed WHERE kind = 'message') f
            WHERE m.id = f.message_id;
            """;
        return database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { ids, text = PostgreSqlText.Encode(text), at, maxAttempts }, cancellationToken: ct)),
            "record an indexing failure",
            cancellationToken);
    }

    /// <summary>Counts entries (and indexed messages) of a session (by its storage key), an owner, or the store.</summary>
    public static async Task<IndexStatus> GetStatusAsync(
        PostgreSqlMemoryDatabase database, NpgsqlConnection connection, string? ownerKey, string? sessionId, long? sessionKey, CancellationToken cancellationToken)
    {
        var schema = database.QuotedSchema;
        var outboxFilter = sessionId is not null ? " WHERE owner_key = @ownerKey AND session_id = @sessionId"
            : ownerKey is not null ? " WHERE owner_key = @ownerKey" : string.Empty;
        var messageFilter = sessionKey is not null ? " AND session_key = @sessionKey"
            : ownerKey is not null ? $" AND session_key IN (SELECT id FROM {schema}.sessions WHERE owner_key = @ownerKey)" : string.Empty;
        var sql = $"SELECT state AS State, count(*) AS Count FROM {schema}.index_outbox" + outboxFilter + " GROUP BY state;"
                  + $"SELECT count(*) FROM {schema}.messages WHERE index_state = 'indexed'" + messageFilter + ";"
                  + $"SELECT error FROM {schema}.index_outbox" + (outboxFilter.Length == 0 ? " WHERE" : outboxFilter + " AND") + " state IN ('failed', 'dead') ORDER BY id DESC LIMIT 1;";
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { ownerKey = PostgreSqlText.Encode(ownerKey), sessionId = PostgreSqlText.Encode(sessionId), sessionKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var counts = (await results.ReadAsync<(string State, long Count)>().ConfigureAwait(false)).ToList();
        var indexed = await results.ReadSingleAsync<long>().ConfigureAwait(false);
        var lastError = await results.ReadSingleOrDefaultAsync<string?>().ConfigureAwait(false);
        int CountOf(string state) => (int)counts.Where(c => c.State == state).Sum(c => c.Count);
        return new IndexStatus(CountOf("pending"), (int)indexed, CountOf("failed"), CountOf("dead"), PostgreSqlText.Decode(lastError));
    }

    public static string KindToDb(IndexItemKind kind) => kind switch
    {
        IndexItemKind.Message => "message",
        IndexItemKind.Summary => "summary",
        IndexItemKind.Knowledge => "knowledge",
        IndexItemKind.ModelMemory => "model_memory",
        IndexItemKind.Document => "document",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown index item kind."),
    };

    private static IndexItemKind KindFromDb(string value) => value switch
    {
        "message" => IndexItemKind.Message,
        "summary" => IndexItemKind.Summary,
        "knowledge" => IndexItemKind.Knowledge,
        "model_memory" => IndexItemKind.ModelMemory,
        "document" => IndexItemKind.Document,
        _ => throw new LongMemoryStoreException($"The indexing outbox holds an unknown kind '{value}'."),
    };

    /// <summary>An entry to add: the owner key, the session (public id), the kind, the source id and the operation.</summary>
    internal readonly record struct OutboxWrite(string OwnerKey, string? SessionId, IndexItemKind Kind, string SourceId, IndexOperation Operation = IndexOperation.Upsert);

    private sealed class EntryRow
    {
        public long Id { get; set; }

        public string OwnerKey { get; set; } = string.Empty;

        public string? SessionId { get; set; }

        public string Kind { get; set; } = string.Empty;

        public string SourceId { get; set; } = string.Empty;

        public string Op { get; set; } = "upsert";

        public int Attempts { get; set; }

        public IndexOutboxEntry ToEntry() => new(
            Id,
            MemoryOwner.FromKey(PostgreSqlText.DecodeRequired(OwnerKey)),
            PostgreSqlText.Decode(SessionId),
            KindFromDb(Kind),
            PostgreSqlText.DecodeRequired(SourceId),
            Op == "delete" ? IndexOperation.Delete : IndexOperation.Upsert,
            Attempts);
    }
}
