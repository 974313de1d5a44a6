using Dapper;

namespace LongMemory.Kernel;

/// <summary>An <see cref="IDocumentStore"/> over a <see cref="SqliteMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>Documents are keyed by owner, session (its public id) and document id; a hard delete of the session removes them.</remarks>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private const string Columns =
        "owner_key AS OwnerKey, session_id AS SessionId, document_id AS DocumentId, title AS Title, text AS Text, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private readonly SqliteMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="SqliteDocumentStore"/> class.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public SqliteDocumentStore(SqliteMemoryDatabase database, TimeProvider? timeProvider = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<StoredDocument> UpsertAsync(MemoryOwner owner, string sessionId, string documentId, string title, string text, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        SqliteStoreSupport.EnsureId(documentId);
        Throw.IfNullOrWhitespace(title);
        Throw.IfNullOrWhitespace(text);
        SqliteStoreSupport.EnsureStorableText(sessionId, nameof(sessionId));
        SqliteStoreSupport.EnsureStorableText(documentId, nameof(documentId));
        SqliteStoreSupport.EnsureStorableText(title, nameof(title));
        SqliteStoreSupport.EnsureStorableText(text, nameof(text));
        var now = SqliteStoreSupport.NowMs(_timeProvider);
        const string Sql = $"""
            INSERT INTO documents (owner_key, session_id, document_id, title, text, created_at, updated_at)
            VALUES (@ownerKey, @sessionId, @documentId, @title, @text, @now, @now)
            ON CONFLICT (owner_key, session_id, document_id) DO UPDATE SET title = excluded.title, text = excluded.text, updated_at = excluded.updated_at
            RETURNING {Columns};
            """;
        var row = await _database.RunInTransactionAsync(
            "store a document",
            async (connection, transaction) =>
            {
                var row = await connection.QuerySingleAsync<DocumentRow>(new CommandDefinition(
                    Sql, new { ownerKey, sessionId, documentId, title, text, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await SqliteOutbox.EnqueueAsync(
                    connection, transaction, [new SqliteOutbox.OutboxWrite(ownerKey, sessionId, IndexItemKind.Document, documentId)], now, cancellationToken).ConfigureAwait(false);
                return row;
            },
            cancellationToken).ConfigureAwait(false);
        return row.ToDocument();
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        SqliteStoreSupport.EnsureId(documentId);
        const string Sql = $"SELECT {Columns} FROM documents WHERE owner_key = @ownerKey AND session_id = @sessionId AND document_id = @documentId;";
        var row = await _database.RunAsync(
            "read a document",
            connection => connection.QuerySingleOrDefaultAsync<DocumentRow>(new CommandDefinition(Sql, new { ownerKey, sessionId, documentId }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        return row?.ToDocument();
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        SqliteStoreSupport.EnsureId(documentId);
        const string Sql = "DELETE FROM documents WHERE owner_key = @ownerKey AND session_id = @sessionId AND document_id = @documentId;";
        var now = SqliteStoreSupport.NowMs(_timeProvider);
        var deleted = await _database.RunInTransactionAsync(
            "delete a document",
            async (connection, transaction) =>
            {
                var deleted = await connection.ExecuteAsync(new CommandDefinition(Sql, new { ownerKey, sessionId, documentId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (deleted > 0)
                {
                    await SqliteOutbox.EnqueueAsync(
                        connection, transaction, [new SqliteOutbox.OutboxWrite(ownerKey, sessionId, IndexItemKind.Document, documentId, IndexOperation.Delete)], now, cancellationToken).ConfigureAwait(false);
                }

                return deleted;
            },
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

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public StoredDocument ToDocument() => new()
        {
            Owner = MemoryOwner.FromKey(OwnerKey),
            SessionId = SessionId,
            DocumentId = DocumentId,
            Title = Title,
            Text = Text,
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            UpdatedAt = SqliteStoreSupport.FromUnixMs(UpdatedAt),
        };
    }
}
