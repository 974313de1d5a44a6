using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// Forgets an owner in one PostgreSQL transaction: every row of the owner in every table of the schema (sessions,
/// messages, summaries, the indexing outbox, knowledge, model memory, documents) and the owner's
/// <see cref="PostgresMemoryIndex"/> items of the same schema. Set it as <see cref="ChatMemoryComponents.OwnerPurge"/>.
/// </summary>
/// <remarks>
/// A failure anywhere (the server, a lock timeout, cancellation) rolls the whole purge back: the user is either forgotten
/// completely or not at all, and the call can simply be repeated. Deleted rows stay in the table files until
/// <c>VACUUM</c> reclaims them and in the write-ahead log until it is recycled; see SECURITY.md for how to purge them.
/// </remarks>
public sealed partial class PostgreSqlOwnerPurge : IOwnerPurge
{
    private readonly PostgreSqlMemoryDatabase _database;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlOwnerPurge"/> class.</summary>
    /// <param name="database">The database the stores use.</param>
    /// <param name="logger">The logger.</param>
    public PostgreSqlOwnerPurge(PostgreSqlMemoryDatabase database, ILogger<PostgreSqlOwnerPurge>? logger = null)
    {
        _database = Throw.IfNull(database);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <remarks>True for a <see cref="PostgresMemoryIndex"/> on the same database instance, or on the same connection string and schema.</remarks>
    public bool IncludesIndex(IMemoryIndex index) =>
        index is PostgresMemoryIndex postgres
        && (ReferenceEquals(postgres.Database, _database)
            || (postgres.Database.Schema == _database.Schema
                && string.Equals(postgres.Database.DataSource.ConnectionString, _database.DataSource.ConnectionString, StringComparison.Ordinal)));

    /// <inheritdoc />
    public async Task<ForgetUserReceipt> PurgeOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        var s = _database.QuotedSchema;
        var receipt = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                // The knowledge writers' lock of this owner: a fact being recorded right now lands before the purge, not after it.
                await PostgreSqlKnowledgeStore.LockOwnerAsync(_database, connection, transaction, ownerKey, ct).ConfigureAwait(false);
                var dbOwner = PostgreSqlText.Encode(ownerKey);
                Task<int> DeleteAsync(string sql) => PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, sql, ct, dbOwner);

                var summaries = await DeleteAsync($"DELETE FROM {s}.summaries WHERE session_key IN (SELECT id FROM {s}.sessions WHERE owner_key = $1);").ConfigureAwait(false);
                var messages = await DeleteAsync($"DELETE FROM {s}.messages WHERE session_key IN (SELECT id FROM {s}.sessions WHERE owner_key = $1);").ConfigureAwait(false);
                var sessions = await DeleteAsync($"DELETE FROM {s}.sessions WHERE owner_key = $1;").ConfigureAwait(false);
                await DeleteAsync($"DELETE FROM {s}.documents WHERE owner_key = $1;").ConfigureAwait(false);
                await DeleteAsync($"DELETE FROM {s}.index_outbox WHERE owner_key = $1;").ConfigureAwait(false);
                var knowledge = await DeleteAsync($"DELETE FROM {s}.knowledge_entries WHERE owner_key = $1;").ConfigureAwait(false);
                var modelMemory = await DeleteAsync($"DELETE FROM {s}.model_memory WHERE owner_key = $1;").ConfigureAwait(false);
                // The index keeps owner keys as they are (it never stored a key with a NUL, which text refuses).
                var indexItems = ownerKey.Contains('\0', StringComparison.Ordinal) ? 0
                    : await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, $"DELETE FROM {s}.memory_items WHERE owner_key = $1;", ct, ownerKey).ConfigureAwait(false);
                return new ForgetUserReceipt
                {
                    UserId = owner.Id,
                    Sessions = sessions,
                    Messages = messages,
                    Summaries = summaries,
                    KnowledgeEntries = knowledge,
                    ModelMemoryEntries = modelMemory,
                    IndexItems = indexItems,
                };
            },
            "forget an owner",
            cancellationToken).ConfigureAwait(false);
        LogPurged(_logger, receipt.Sessions, receipt.Messages, receipt.Summaries, receipt.KnowledgeEntries, receipt.ModelMemoryEntries, receipt.IndexItems);
        return receipt;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information,
        Message = "Purged an owner in one transaction: {Sessions} sessions, {Messages} messages, {Summaries} summaries, {Knowledge} knowledge entries, {ModelMemory} model memory entries, {IndexItems} index items.")]
    private static partial void LogPurged(ILogger logger, int sessions, int messages, int summaries, int knowledge, int modelMemory, long indexItems);
}
