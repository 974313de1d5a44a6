using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>An <see cref="IModelMemoryStore"/> over a <see cref="SqliteMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// Every read and write filters by the owner key, so an id of another owner behaves as an unknown id. Forgotten entries
/// keep their row as a marker (<c>deleted_at</c>) with the content erased, and are invisible to every read.
/// </remarks>
public sealed partial class SqliteModelMemoryStore : IModelMemoryStore
{
    private const string Columns =
        "id AS Id, owner_key AS UserId, session_id AS SessionId, content AS Content, category AS Category, importance AS Importance, source AS Source, " +
        "created_at AS CreatedAt, updated_at AS UpdatedAt, deleted_at AS DeletedAt";

    private readonly SqliteMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SqliteModelMemoryStore"/> class.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public SqliteModelMemoryStore(SqliteMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<SqliteModelMemoryStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task<ModelMemoryEntry> AddAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default)
    {
        Validate(entry);
        var source = Throw.IfNullOrWhitespace(entry.Source, "entry.Source");
        SqliteStoreSupport.EnsureStorableText(source, "entry.Source");
        var now = SqliteStoreSupport.NowMs(_timeProvider);

        const string Sql = """
            INSERT INTO model_memory (owner_key, session_id, content, category, importance, source, created_at, updated_at, deleted_at)
            VALUES (@UserId, @SessionId, @Content, @Category, @Importance, @source, @now, @now, NULL)
            RETURNING id;
            """;
        var id = await _database.RunInTransactionAsync(
            "add model memory",
            async (connection, transaction) =>
            {
                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    Sql, new { UserId = entry.Owner.Key, entry.SessionId, entry.Content, entry.Category, entry.Importance, source, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await EnqueueAsync(connection, transaction, entry.Owner.Key, id, IndexOperation.Upsert, now, cancellationToken).ConfigureAwait(false);
                return id;
            },
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
            CreatedAt = SqliteStoreSupport.FromUnixMs(now),
            UpdatedAt = SqliteStoreSupport.FromUnixMs(now),
        };
    }

    /// <inheritdoc />
    public async Task<bool> UpdateAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default)
    {
        Validate(entry);
        var now = SqliteStoreSupport.NowMs(_timeProvider);
        const string Sql = """
            UPDATE model_memory SET content = @Content, category = @Category, importance = @Importance, session_id = @SessionId, updated_at = max(updated_at, @now)
            WHERE id = @Id AND owner_key = @UserId AND deleted_at IS NULL;
            """;
        var changed = await _database.RunInTransactionAsync(
            "update model memory",
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition(
                    Sql, new { entry.Id, UserId = entry.Owner.Key, entry.SessionId, entry.Content, entry.Category, entry.Importance, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (changed > 0)
                {
                    await EnqueueAsync(connection, transaction, entry.Owner.Key, entry.Id, IndexOperation.Upsert, now, cancellationToken).ConfigureAwait(false);
                }

                return changed;
            },
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
        const string Sql = $"SELECT {Columns} FROM model_memory WHERE id = @id AND owner_key = @userId AND deleted_at IS NULL;";
        var rows = await QueryAsync("read model memory", Sql, new { userId, id }, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ModelMemoryEntry>> ListAsync(MemoryOwner owner, int skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        Throw.IfLessThan(skip, 0);
        Throw.IfLessThan(take, 0);
        const string Sql = $"""
            SELECT {Columns} FROM model_memory
            WHERE owner_key = @userId AND deleted_at IS NULL
            ORDER BY created_at DESC, id DESC
            LIMIT @take OFFSET @skip;
            """;
        return QueryAsync("list model memory", Sql, new { userId, skip, take }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        var now = SqliteStoreSupport.NowMs(_timeProvider);
        const string Sql = "UPDATE model_memory SET deleted_at = @now, content = '', category = NULL WHERE id = @id AND owner_key = @userId AND deleted_at IS NULL;";
        var changed = await _database.RunInTransactionAsync(
            "delete model memory",
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition(Sql, new { userId, id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (changed > 0)
                {
                    await EnqueueAsync(connection, transaction, userId, id, IndexOperation.Delete, now, cancellationToken).ConfigureAwait(false);
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
        if (changed > 0)
        {
            LogDeleted(_logger, id);
        }

        return changed > 0;
    }

    private static Task EnqueueAsync(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction, string ownerKey, long id, IndexOperation operation, long now, CancellationToken cancellationToken)
        => SqliteOutbox.EnqueueAsync(
            connection,
            transaction,
            [new SqliteOutbox.OutboxWrite(ownerKey, null, IndexItemKind.ModelMemory, id.ToString(System.Globalization.CultureInfo.InvariantCulture), operation)],
            now,
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        const string Sql = "DELETE FROM model_memory WHERE owner_key = @userId AND session_id = @sessionId RETURNING id;";
        var ids = await _database.RunAsync<IReadOnlyList<long>>(
            "delete a session's model memory",
            async connection => (await connection.QueryAsync<long>(new CommandDefinition(Sql, new { userId, sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList(),
            cancellationToken).ConfigureAwait(false);
        LogDeletedBySession(_logger, ids.Count, sessionId);
        return ids;
    }

    /// <inheritdoc />
    public async Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var userId = Throw.IfDefault(owner).Key;
        const string Sql = "DELETE FROM model_memory WHERE owner_key = @userId;";
        return await _database.RunAsync(
            "delete an owner's model memory",
            connection => connection.ExecuteAsync(new CommandDefinition(Sql, new { userId }, cancellationToken: cancellationToken)),
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
        SqliteStoreSupport.EnsureStorableText(entry.Owner.Key, "entry.Owner");
        SqliteStoreSupport.EnsureStorableText(entry.Content, "entry.Content");
        SqliteStoreSupport.EnsureStorableText(entry.Category, "entry.Category");
        SqliteStoreSupport.EnsureStorableText(entry.SessionId, "entry.SessionId");
    }

    private Task<IReadOnlyList<ModelMemoryEntry>> QueryAsync(string operation, string sql, object parameters, CancellationToken cancellationToken)
        => _database.RunAsync<IReadOnlyList<ModelMemoryEntry>>(
            operation,
            async connection =>
            {
                var rows = await connection.QueryAsync<ModelMemoryRow>(
                    new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.Select(r => r.ToEntry()).ToList();
            },
            cancellationToken);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "Added model memory entry {Id}.")]
    private static partial void LogAdded(ILogger logger, long id);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "Updated model memory entry {Id}.")]
    private static partial void LogUpdated(ILogger logger, long id);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Forgot model memory entry {Id} (content erased).")]
    private static partial void LogDeleted(ILogger logger, long id);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Deleted {Count} model memory entries saved in session {SessionId}.")]
    private static partial void LogDeletedBySession(ILogger logger, int count, string sessionId);

    private sealed class ModelMemoryRow
    {
        public long Id { get; set; }

        public string UserId { get; set; } = string.Empty;

        public string? SessionId { get; set; }

        public string Content { get; set; } = string.Empty;

        public string? Category { get; set; }

        public double Importance { get; set; }

        public string Source { get; set; } = string.Empty;

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public long? DeletedAt { get; set; }

        public ModelMemoryEntry ToEntry() => new()
        {
            Id = Id,
            Owner = MemoryOwner.FromKey(UserId),
            SessionId = SessionId,
            Content = Content,
            Category = Category,
            Importance = Importance,
            Source = Source,
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            UpdatedAt = SqliteStoreSupport.FromUnixMs(UpdatedAt),
            DeletedAt = SqliteStoreSupport.FromUnixMs(DeletedAt),
        };
    }
}
