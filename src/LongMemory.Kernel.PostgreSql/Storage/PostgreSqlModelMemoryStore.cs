using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>An <see cref="IModelMemoryStore"/> over a <see cref="PostgreSqlMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// The same rules as the SQLite store: every statement filters by the owner key, so an id of another owner behaves as an
/// unknown id; a forgotten entry keeps its row as a marker (<c>deleted_at</c>) with the content erased and is invisible to
/// every read; every change writes its indexing outbox entry in the same transaction. Each change is one statement, so
/// concurrent instances need no lock beyond the row's.
/// </remarks>
public sealed partial class PostgreSqlModelMemoryStore : IModelMemoryStore
{
    private const string Columns =
        "id AS Id, owner_key AS OwnerKey, session_id AS SessionId, content AS Content, category AS Category, importance AS Importance, source AS Source, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt";

    private readonly PostgreSqlMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _table;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlModelMemoryStore"/> class.</summary>
    /// <param name="database">The database (its migrations run on first use).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public PostgreSqlModelMemoryStore(PostgreSqlMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<PostgreSqlModelMemoryStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _table = database.QuotedSchema + ".model_memory";
    }

    /// <inheritdoc />
    public async Task<ModelMemoryEntry> AddAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default)
    {
        Validate(entry);
        var source = Throw.IfNullOrWhitespace(entry.Source, "entry.Source");
        KnowledgeSideText.EnsureStorable(source, "entry.Source");
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;

        var sql = $"""
            INSERT INTO {_table} (owner_key, session_id, content, category, importance, source, created_at, updated_at, deleted_at)
            VALUES (@UserId, @SessionId, @Content, @Category, @Importance, @source, @now, @now, NULL)
            RETURNING id;
            """;
        var id = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    sql, new { UserId = PostgreSqlText.Encode(entry.Owner.Key), SessionId = PostgreSqlText.Encode(entry.SessionId), Content = PostgreSqlText.Encode(entry.Content), Category = PostgreSqlText.Encode(entry.Category), entry.Importance, source = PostgreSqlText.Encode(source), now }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                await EnqueueAsync(connection, transaction, entry.Owner.Key, id, IndexOperation.Upsert, now, ct).ConfigureAwait(false);
                return id;
            },
            "add model memory",
            cancellationToken).ConfigureAwait(false);

        LogAdded(_logger, id);
        return new ModelMemoryEntry
        {
            Id = id,
            Owner = entry.Owner,
            SessionId = entry.SessionId,
            Content = entry.Content,
            Category = entry.Category,
            Importance = entry.Importance,
            Source = source,
            CreatedAt = PostgreSqlStoreSupport.FromDb(now),
            UpdatedAt = PostgreSqlStoreSupport.FromDb(now),
        };
    }

    /// <inheritdoc />
    public async Task<bool> UpdateAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default)
    {
        Validate(entry);
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var sql = $"""
            UPDATE {_table} SET content = @Content, category = @Category, importance = @Importance, session_id = @SessionId, updated_at = greatest(updated_at, @now)
            WHERE id = @Id AND owner_key = @UserId AND deleted_at IS NULL;
            """;
        var changed = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition(
                    sql, new { entry.Id, UserId = PostgreSqlText.Encode(entry.Owner.Key), SessionId = PostgreSqlText.Encode(entry.SessionId), Content = PostgreSqlText.Encode(entry.Content), Category = PostgreSqlText.Encode(entry.Category), entry.Importance, now }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (changed > 0)
                {
                    await EnqueueAsync(connection, transaction, entry.Owner.Key, entry.Id, IndexOperation.Upsert, now, ct).ConfigureAwait(false);
                }

                return changed;
            },
            "update model memory",
            cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            LogUpdated(_logger, entry.Id);
        }

        return changed > 0;
    }

    /// <inheritdoc />
    public async Task<ModelMemoryEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var sql = $"SELECT {Columns} FROM {_table} WHERE id = @id AND owner_key = @userId AND deleted_at IS NULL;";
        var rows = await QueryAsync("read model memory", sql, new { userId = dbOwner, id }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelMemoryEntry>> ListAsync(MemoryOwner owner, int skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        Throw.IfLessThan(skip, 0);
        Throw.IfLessThan(take, 0);
        var sql = $"""
            SELECT {Columns} FROM {_table}
            WHERE owner_key = @userId AND deleted_at IS NULL
            ORDER BY created_at DESC, id DESC
            LIMIT @take OFFSET @skip;
            """;
        return QueryAsync("list model memory", sql, new { userId = dbOwner, skip, take }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var sql = $"UPDATE {_table} SET deleted_at = @now, content = '', category = NULL WHERE id = @id AND owner_key = @userId AND deleted_at IS NULL;";
        var changed = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition(sql, new { userId = dbOwner, id, now }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (changed > 0)
                {
                    await EnqueueAsync(connection, transaction, userId, id, IndexOperation.Delete, now, ct).ConfigureAwait(false);
                }

                return changed;
            },
            "delete model memory",
            cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            LogDeleted(_logger, id);
        }

        return changed > 0;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        Throw.IfNullOrWhitespace(sessionId);
        var sql = $"DELETE FROM {_table} WHERE owner_key = @userId AND session_id = @sessionId RETURNING id;";
        var ids = await _database.RunAsync<IReadOnlyList<long>>(
            async (connection, ct) => (await connection.QueryAsync<long>(new CommandDefinition(sql, new { userId = dbOwner, sessionId = PostgreSqlText.Encode(sessionId) }, cancellationToken: ct)).ConfigureAwait(false)).ToList(),
            "delete a session's model memory",
            cancellationToken).ConfigureAwait(false);
        LogDeletedBySession(_logger, ids.Count, sessionId);
        return ids;
    }

    /// <inheritdoc />
    public async Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var dbOwner = PostgreSqlText.Encode(userId);
        var sql = $"DELETE FROM {_table} WHERE owner_key = @userId;";
        return await _database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { userId = dbOwner }, cancellationToken: ct)),
            "delete an owner's model memory",
            cancellationToken).ConfigureAwait(false);
    }

    private static void Validate(ModelMemoryEntry entry)
    {
        Throw.IfNull(entry);
        Throw.IfDefault(entry.Owner, "entry.Owner");
        Throw.IfNullOrWhitespace(entry.Content, "entry.Content");
        if (entry.Category is not null)
        {
            Throw.IfNullOrWhitespace(entry.Category, "entry.Category");
        }

        if (entry.SessionId is not null)
        {
            Throw.IfNullOrWhitespace(entry.SessionId, "entry.SessionId");
        }

        Throw.IfOutOfRange(entry.Importance, 0, 1, "entry.Importance");
        KnowledgeSideText.EnsureStorable(entry.Owner.Key, "entry.Owner");
        KnowledgeSideText.EnsureStorable(entry.Content, "entry.Content");
        KnowledgeSideText.EnsureStorable(entry.Category, "entry.Category");
        KnowledgeSideText.EnsureStorable(entry.SessionId, "entry.SessionId");
    }

    private Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string ownerKey, long id, IndexOperation operation, DateTime now, CancellationToken cancellationToken)
        => PostgreSqlOutbox.EnqueueAsync(
            _database,
            connection,
            transaction,
            [new(ownerKey, null, IndexItemKind.ModelMemory, id.ToString(CultureInfo.InvariantCulture), operation)],
            PostgreSqlStoreSupport.FromDb(now),
            cancellationToken);

    private Task<IReadOnlyList<ModelMemoryEntry>> QueryAsync(string operation, string sql, object parameters, CancellationToken cancellationToken)
        => _database.RunAsync<IReadOnlyList<ModelMemoryEntry>>(
            async (connection, ct) =>
            {
                var rows = await connection.QueryAsync<ModelMemoryRow>(new CommandDefinition(sql, parameters, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.ToEntry()).ToList();
            },
            operation,
            cancellationToken);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Added model memory entry {Id}.")]
    private static partial void LogAdded(ILogger logger, long id);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Updated model memory entry {Id}.")]
    private static partial void LogUpdated(ILogger logger, long id);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Forgot model memory entry {Id} (content erased).")]
    private static partial void LogDeleted(ILogger logger, long id);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "Deleted {Count} model memory entries saved in session {SessionId}.")]
    private static partial void LogDeletedBySession(ILogger logger, int count, string sessionId);

    private sealed class ModelMemoryRow
    {
        public long Id { get; set; }

        public string OwnerKey { get; set; } = string.Empty;

        public string? SessionId { get; set; }

        public string Content { get; set; } = string.Empty;

        public string? Category { get; set; }

        public double Importance { get; set; }

        public string Source { get; set; } = string.Empty;

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public DateTime? DeletedAt { get; set; }

        public ModelMemoryEntry ToEntry() => new()
        {
            Id = Id,
            Owner = MemoryOwner.FromKey(PostgreSqlText.DecodeRequired(OwnerKey)),
            SessionId = PostgreSqlText.Decode(SessionId),
            Content = PostgreSqlText.DecodeRequired(Content),
            Category = PostgreSqlText.Decode(Category),
            Importance = Importance,
            Source = PostgreSqlText.DecodeRequired(Source),
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            UpdatedAt = PostgreSqlStoreSupport.FromDb(UpdatedAt),
            DeletedAt = PostgreSqlStoreSupport.FromDb(DeletedAt),
        };
    }
}
