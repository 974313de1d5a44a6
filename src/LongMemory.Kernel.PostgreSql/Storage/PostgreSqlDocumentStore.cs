using Dapper;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>An <see cref="IDocumentStore"/> over a <see cref="PostgreSqlMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// Documents are keyed by owner, session (its public id) and document id; a hard delete of the session removes them. A
/// store is one <c>INSERT ... ON CONFLICT DO UPDATE</c>, so two instances storing the same document at once leave one row
/// (the later write's text). Every change writes its indexing outbox entry in the same transaction.
/// </remarks>
public sealed class PostgreSqlDocumentStore : IDocumentStore
{
    private const string Columns =
        "owner_key AS OwnerKey, session_id AS SessionId, document_id AS DocumentId, title AS Title, text AS Text, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private readonly PostgreSqlMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly string _table;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlDocumentStore"/> class.</summary>
    /// <param name="database">The database (its migrations run on first use).</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public PostgreSqlDocumentStore(PostgreSqlMemoryDatabase database, TimeProvider? timeProvider = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _table = database.QuotedSchema + ".documents";
    }

    /// <inheritdoc />
    public async Task<StoredDocument> UpsertAsync(MemoryOwner owner, string sessionId, string documentId, string title, string text, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNullOrWhitespace(documentId);
        Throw.IfNullOrWhitespace(title);
        Throw.IfNullOrWhitespace(text);
        KnowledgeSideText.EnsureStorable(ownerKey, nameof(owner));
        KnowledgeSideText.EnsureStorable(sessionId, nameof(sessionId));
        KnowledgeSideText.EnsureStorable(documentId, nameof(documentId));
        KnowledgeSideText.EnsureStorable(title, nameof(title));
        KnowledgeSideText.EnsureStorable(text, nameof(text));
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var sql = $"""
            INSERT INTO {_table} (owner_key, session_id, document_id, title, text, created_at, updated_at)
            VALUES (@ownerKey, @sessionId, @documentId, @title, @text, @now, @now)
            ON CONFLICT (owner_key, session_id, document_id) DO UPDATE SET title = excluded.title, text = excluded.text, updated_at = excluded.updated_at
            RETURNING {Columns};
            """;
        var row = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var row = await connection.QuerySingleAsync<DocumentRow>(new CommandDefinition(
                    sql, new { ownerKey = PostgreSqlText.Encode(ownerKey), sessionId = PostgreSqlText.Encode(sessionId), documentId = PostgreSqlText.Encode(documentId), title = PostgreSqlText.Encode(title), text = PostgreSqlText.Encode(text), now }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, [new(ownerKey, sessionId, IndexItemKind.Document, documentId)], PostgreSqlStoreSupport.FromDb(now), ct).ConfigureAwait(false);
                return row;
            },
            "store a document",
            cancellationToken).ConfigureAwait(false);
        return row.ToDocument();
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNullOrWhitespace(documentId);
        var sql = $"SELECT {Columns} FROM {_table} WHERE owner_key = @ownerKey AND session_id = @sessionId AND document_id = @documentId;";
        var row = await _database.RunAsync(
            (connection, ct) => connection.QuerySingleOrDefaultAsync<DocumentRow>(new CommandDefinition(sql, new { ownerKey = PostgreSqlText.Encode(ownerKey), sessionId = PostgreSqlText.Encode(sessionId), documentId = PostgreSqlText.Encode(documentId) }, cancellationToken: ct)),
            "read a document",
            cancellationToken).ConfigureAwait(false);
        return row?.ToDocument();
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNullOrWhitespace(documentId);
        var sql = $"DELETE FROM {_table} WHERE owner_key = @ownerKey AND session_id = @sessionId AND document_id = @documentId;";
        var now = PostgreSqlStoreSupport.Now(_timeProvider).UtcDateTime;
        var deleted = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var deleted = await connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = PostgreSqlText.Encode(ownerKey), sessionId = PostgreSqlText.Encode(sessionId), documentId = PostgreSqlText.Encode(documentId) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (deleted > 0)
                {
                    await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, [new(ownerKey, sessionId, IndexItemKind.Document, documentId, IndexOperation.Delete)], PostgreSqlStoreSupport.FromDb(now), ct).ConfigureAwait(false);
                }

                return deleted;
            },
            "delete a document",
            cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    private sealed class DocumentRow
    {
        public string OwnerKey { get; set; } = string.Empty;

        public string SessionId { get; set; } = string.Empty;

        public string DocumentId { get; set; } = string.Empty;

        public string Title { get; set; } = string.Empty;

        public string Text { get; set; } = string.Empty;

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public StoredDocument ToDocument() => new()
        {
            Owner = MemoryOwner.FromKey(PostgreSqlText.DecodeRequired(OwnerKey)),
            SessionId = PostgreSqlText.DecodeRequired(SessionId),
            DocumentId = PostgreSqlText.DecodeRequired(DocumentId),
            Title = PostgreSqlText.DecodeRequired(Title),
            Text = PostgreSqlText.DecodeRequired(Text),
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            UpdatedAt = PostgreSqlStoreSupport.FromDb(UpdatedAt),
        };
    }
}
