using Dapper;
using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel;

/// <summary>
/// The SQL of the <c>index_outbox</c> table, shared by every SQLite store: writers add entries inside their own
/// transaction (<see cref="EnqueueAsync"/>); <see cref="SqliteSessionStore"/> exposes the claim side as <see cref="IIndexOutbox"/>.
/// </summary>
internal static class SqliteOutbox
{
    private const string EntryColumns = "id AS Id, owner_key AS OwnerKey, session_id AS SessionId, kind AS Kind, source_id AS SourceId, op AS Op, attempts AS Attempts";

    /// <summary>Adds entries in the caller's transaction. A pending, unclaimed entry for the same source already covers a change, so none is added then.</summary>
    public static async Task EnqueueAsync(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<OutboxWrite> writes, long nowMs, CancellationToken cancellationToken)
    {
        const string InsertSql = """
            INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, state, attempts, created_at)
            VALUES (@OwnerKey, @SessionId, @Kind, @SourceId, @Op, 'pending', 0, @NowMs);
            """;
        const string CoalescingSql = """
            INSERT INTO index_outbox (owner_key, session_id, kind, source_id, op, state, attempts, created_at)
            SELECT @OwnerKey, @SessionId, @Kind, @SourceId, @Op, 'pending', 0, @NowMs
            WHERE NOT EXISTS (SELECT 1 FROM index_outbox
                              WHERE kind = @Kind AND owner_key = @OwnerKey AND source_id = @SourceId AND state = 'pending' AND claimed_until IS NULL);
            """;
        foreach (var write in writes)
        {
            // A new message can have no entry yet; every other kind may be rewritten before it is indexed.
            var sql = write.Kind == IndexItemKind.Message ? InsertSql : CoalescingSql;
            await connection.ExecuteAsync(new CommandDefinition(
                sql,
                new { write.OwnerKey, write.SessionId, Kind = KindToDb(write.Kind), write.SourceId, Op = write.Operation == IndexOperation.Delete ? "delete" : "upsert", NowMs = nowMs },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    public static Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(SqliteMemoryDatabase database, int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        Throw.IfLessThan(maxCount, 1);
        if (lease <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lease), lease, "The lease must be positive.");
        }

        var nowMs = SqliteStoreSupport.ToUnixMs(now);
        var leaseMs = SqliteStoreSupport.ToUnixMs(now + lease);
        const string Sql = $"""
            UPDATE index_outbox SET claimed_until = @leaseMs
            WHERE id IN (SELECT id FROM index_outbox
                         WHERE state <> 'dead' AND coalesce(retry_at, 0) <= @nowMs AND coalesce(claimed_until, 0) <= @nowMs
                         ORDER BY id LIMIT @maxCount)
            RETURNING {EntryColumns};
            """;
        return database.RunInTransactionAsync<IReadOnlyList<IndexOutboxEntry>>(
            "claim indexing work",
            async (connection, transaction) =>
            {
                var rows = await connection.QueryAsync<EntryRow>(
                    new CommandDefinition(Sql, new { nowMs, leaseMs, maxCount }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.Select(r => r.ToEntry()).OrderBy(e => e.Id).ToList();
            },
            cancellationToken);
    }

    public static Task CompleteAsync(SqliteMemoryDatabase database, IReadOnlyList<long> entryIds, CancellationToken cancellationToken)
    {
        Throw.IfNull(entryIds);
        if (entryIds.Count == 0)
        {
            return Task.CompletedTask;
        }

        const string Sql = """
            UPDATE messages SET index_state = 'indexed', index_error = NULL, index_retry_at = NULL
            WHERE id IN (SELECT CAST(source_id AS INTEGER) FROM index_outbox WHERE id IN @ids AND kind = 'message');
            DELETE FROM index_outbox WHERE id IN @ids;
            """;
        return database.RunInTransactionAsync(
            "complete indexing work",
            async (connection, transaction) =>
            {
                foreach (var ids in SqliteStoreSupport.Chunk(entryIds))
                {
                    await connection.ExecuteAsync(new CommandDefinition(Sql, new { ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken);
    }

    public static Task FailAsync(SqliteMemoryDatabase database, IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken)
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

        var retryAtMs = SqliteStoreSupport.ToUnixMs(retryAt);
        const string Sql = """
            UPDATE index_outbox
            SET attempts = attempts + 1, error = @text, retry_at = @retryAtMs, claimed_until = NULL,
                state = CASE WHEN attempts + 1 >= @maxAttempts THEN 'dead' ELSE 'failed' END
            WHERE id IN @ids;
            UPDATE messages
            SET (index_state, index_attempts, index_error, index_retry_at) =
                (SELECT o.state, o.attempts, o.error, o.retry_at FROM index_outbox o WHERE o.kind = 'message' AND CAST(o.source_id AS INTEGER) = messages.id AND o.id IN @ids)
            WHERE id IN (SELECT CAST(source_id AS INTEGER) FROM index_outbox WHERE id IN @ids AND kind = 'message');
            """;
        return database.RunInTransactionAsync(
            "record an indexing failure",
            async (connection, transaction) =>
            {
                foreach (var ids in SqliteStoreSupport.Chunk(entryIds))
                {
                    await connection.ExecuteAsync(new CommandDefinition(Sql, new { ids, text, retryAtMs, maxAttempts }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken);
    }

    /// <summary>Counts entries (and indexed messages) of a session (by storage key filter SQL), an owner, or the store.</summary>
    public static async Task<IndexStatus> GetStatusAsync(SqliteConnection connection, string? ownerKey, string? sessionId, string? sessionKey, CancellationToken cancellationToken)
    {
        var outboxFilter = sessionId is not null ? " WHERE owner_key = @ownerKey AND session_id = @sessionId"
            : ownerKey is not null ? " WHERE owner_key = @ownerKey" : string.Empty;
        var messageFilter = sessionKey is not null ? " AND session_id = @sessionKey"
            : ownerKey is not null ? " AND session_id IN (SELECT id FROM sessions WHERE owner_key = @ownerKey)" : string.Empty;
        var sql = "SELECT state AS State, count(*) AS Count FROM index_outbox" + outboxFilter + " GROUP BY state;"
                  + "SELECT count(*) FROM messages WHERE index_state = 'indexed'" + messageFilter + ";"
                  + "SELECT error FROM index_outbox" + (outboxFilter.Length == 0 ? " WHERE" : outboxFilter + " AND") + " state IN ('failed', 'dead') ORDER BY id DESC LIMIT 1;";
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { ownerKey, sessionId, sessionKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var counts = (await results.ReadAsync<(string State, long Count)>().ConfigureAwait(false)).ToList();
        var indexed = await results.ReadSingleAsync<long>().ConfigureAwait(false);
        var lastError = await results.ReadSingleOrDefaultAsync<string?>().ConfigureAwait(false);
        int CountOf(string state) => (int)counts.Where(c => c.State == state).Sum(c => c.Count);
        return new IndexStatus(CountOf("pending"), (int)indexed, CountOf("failed"), CountOf("dead"), lastError);
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

        public long Attempts { get; set; }

        public IndexOutboxEntry ToEntry() => new(
            Id,
            MemoryOwner.FromKey(OwnerKey),
            SessionId,
            KindFromDb(Kind),
            SourceId,
            Op == "delete" ? IndexOperation.Delete : IndexOperation.Upsert,
            (int)Attempts);
    }
}
