using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>An <see cref="ISessionStore"/> over a <see cref="SqliteMemoryDatabase"/> (Dapper, plain parameterised SQL).</summary>
/// <remarks>
/// <para>
/// Every write runs in one <c>BEGIN IMMEDIATE</c> transaction, so concurrent writers queue on the database's busy timeout
/// and counters stay exact. Timestamps are stored as Unix milliseconds (UTC); finer precision is dropped.
/// </para>
/// <para>
/// A soft-deleted session keeps its data and can still be read, renamed, restored and purged, but adding to it
/// (<see cref="AppendMessagesAsync"/>, <see cref="AddSummaryAsync"/>) throws <see cref="InvalidOperationException"/>:
/// unlike an unknown id, recreating it under the same id would fail, so the caller must restore it first.
/// </para>
/// <para>
/// Text is stored verbatim, except that strings with an unpaired UTF-16 surrogate or a U+0000 are rejected with an
/// <see cref="ArgumentException"/> giving its position: SQLite stores UTF-8 and would silently replace the surrogate, and
/// Microsoft.Data.Sqlite cuts a string longer than 512 UTF-8 bytes at its first U+0000.
/// </para>
/// </remarks>
public sealed partial class SqliteSessionStore : ISessionStore, IMessageStore, ISummaryStore, IIndexOutbox
{
    /// <summary>The longest title derived from a first user message, including the ellipsis.</summary>
    internal const int DerivedTitleMaxLength = 60;

    private const string SessionColumns =
        "public_id AS Id, owner_key AS OwnerKey, title AS Title, created_at AS CreatedAt, updated_at AS UpdatedAt, is_active AS IsActive, " +
        "message_count AS MessageCount, tokens_used AS TokensUsed, metadata AS Metadata";

    // A message row with its session's public id and owner: read FROM MessagesOfSessions (one session lookup per row;
    // correlated subqueries for the two session columns cost two).
    private const string MessageColumns =
        "m.id AS Id, s.public_id AS SessionId, s.owner_key AS OwnerKey, m.response_id AS ResponseId, m.role AS Role, m.content AS Content, " +
        "m.contents_json AS ContentsJson, m.message_type AS MessageType, m.created_at AS CreatedAt, m.token_count AS TokenCount, " +
        "m.is_trimmed AS IsTrimmed, m.index_state AS IndexState, m.index_attempts AS IndexAttempts, m.index_error AS IndexError, m.metadata AS Metadata";

    private const string MessagesOfSessions = "messages m JOIN sessions s ON s.id = m.session_id";

    private const string SummaryColumns =
        "id AS Id, (SELECT s.public_id FROM sessions s WHERE s.id = summaries.session_id) AS SessionId, level AS Level, first_message_id AS FirstMessageId, last_message_id AS LastMessageId, " +
        "parent_id AS ParentId, content AS Content, token_count AS TokenCount, created_at AS CreatedAt, superseded_at AS SupersededAt";

    /// <summary>The storage key of the session named by @ownerKey and @sessionId (its public id).</summary>
    private const string SessionKeyOf = "(SELECT id FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId)";

    private readonly SqliteMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SqliteSessionStore"/> class.</summary>
    /// <param name="database">The database.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public SqliteSessionStore(SqliteMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<SqliteSessionStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="SessionAlreadyExistsException">The owner already has a session with <paramref name="sessionId"/> (active or soft-deleted).</exception>
    public async Task<ChatSession> CreateSessionAsync(
        MemoryOwner owner, string? sessionId = null, string? title = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        SqliteStoreSupport.EnsureStorableText(Throw.IfDefault(owner).Id, nameof(owner));
        if (title is not null)
        {
            Throw.IfNullOrWhitespace(title);
            SqliteStoreSupport.EnsureStorableText(title, nameof(title));
        }

        if (sessionId is not null)
        {
            SqliteStoreSupport.EnsureId(sessionId);
            SqliteStoreSupport.EnsureStorableText(sessionId, nameof(sessionId));
        }

        if (owner.Kind == MemoryOwnerKind.AnonymousSession && sessionId is not null && !string.Equals(sessionId, owner.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"An anonymous session owns only itself: its id must be '{owner.Id}'.", nameof(sessionId));
        }

        var id = sessionId ?? (owner.Kind == MemoryOwnerKind.AnonymousSession ? owner.Id : Guid.NewGuid().ToString("N"));

        // The storage key is unique across owners; the public id is unique per owner.
        var key = Guid.NewGuid().ToString("N");
        var ownerKey = owner.Key;
        var userId = owner.UserId;
        var metadataJson = SqliteStoreSupport.SerializeMetadata(metadata, nameof(metadata));
        var now = SqliteStoreSupport.NowMs(_timeProvider);

        const string Sql = """
            INSERT INTO sessions (id, owner_key, public_id, user_id, title, created_at, updated_at, is_active, message_count, tokens_used, metadata)
            VALUES (@key, @ownerKey, @id, @userId, @title, @now, @now, 1, 0, 0, @metadataJson)
            ON CONFLICT DO NOTHING;
            """;
        var inserted = await _database.RunAsync(
            "create a session",
            connection => connection.ExecuteAsync(new CommandDefinition(Sql, new { key, ownerKey, id, userId, title, now, metadataJson }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        if (inserted == 0)
        {
            throw new SessionAlreadyExistsException(id);
        }

        LogSessionCreated(_logger, id, owner.Kind == MemoryOwnerKind.User);
        return new ChatSession
        {
            Id = id,
            Owner = owner,
            Title = title,
            CreatedAt = SqliteStoreSupport.FromUnixMs(now),
            UpdatedAt = SqliteStoreSupport.FromUnixMs(now),
            IsActive = true,
            Metadata = SqliteStoreSupport.DeserializeMetadata(metadataJson),
        };
    }

    /// <inheritdoc />
    public Task<ChatSession?> GetSessionAsync(MemoryOwner owner, string sessionId, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        var sql = $"SELECT {SessionColumns} FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId" + (includeDeleted ? ";" : " AND is_active = 1;");
        return _database.RunAsync(
            "read a session",
            async connection =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(
                    new CommandDefinition(sql, new { ownerKey, sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return row?.ToSession();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatSession>> GetSessionsAsync(MemoryOwner owner, IReadOnlyCollection<string> sessionIds, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNull(sessionIds);
        foreach (var id in sessionIds)
        {
            SqliteStoreSupport.EnsureId(id, nameof(sessionIds));
        }

        if (sessionIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ChatSession>>([]);
        }

        var sql = $"SELECT {SessionColumns} FROM sessions WHERE owner_key = @ownerKey AND public_id IN @ids" + (includeDeleted ? ";" : " AND is_active = 1;");
        return _database.RunAsync<IReadOnlyList<ChatSession>>(
            "read sessions",
            async connection =>
            {
                var result = new List<ChatSession>(sessionIds.Count);
                foreach (var ids in sessionIds.Distinct(StringComparer.Ordinal).Chunk(500))
                {
                    var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition(sql, new { ownerKey, ids }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    result.AddRange(rows.Select(r => r.ToSession()));
                }

                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatSession>> ListSessionsAsync(MemoryOwner owner, int skip = 0, int take = 50, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;

        Throw.IfLessThan(skip, 0);
        Throw.IfLessThan(take, 0);

        // rowid breaks ties between sessions updated in the same millisecond: the later-created one comes first.
        const string Sql = $"""
            SELECT {SessionColumns} FROM sessions
            WHERE owner_key = @ownerKey AND is_active = 1
            ORDER BY updated_at DESC, rowid DESC
            LIMIT @take OFFSET @skip;
            """;
        return _database.RunAsync<IReadOnlyList<ChatSession>>(
            "list sessions",
            async connection =>
            {
                var rows = await connection.QueryAsync<SessionRow>(
                    new CommandDefinition(Sql, new { ownerKey, skip, take }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return rows.Select(r => r.ToSession()).ToList();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task RenameSessionAsync(MemoryOwner owner, string sessionId, string title, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        Throw.IfNullOrWhitespace(title);
        SqliteStoreSupport.EnsureStorableText(title, nameof(title));
        var now = SqliteStoreSupport.NowMs(_timeProvider);

        const string Sql = "UPDATE sessions SET title = @title, updated_at = max(updated_at, @now) WHERE owner_key = @ownerKey AND public_id = @sessionId;";
        var changed = await _database.RunAsync(
            "rename a session",
            connection => connection.ExecuteAsync(new CommandDefinition(Sql, new { ownerKey, sessionId, title, now }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }
    }

    /// <inheritdoc />
    public async Task SetSessionActiveAsync(MemoryOwner owner, string sessionId, bool isActive, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        var now = SqliteStoreSupport.NowMs(_timeProvider);

        const string Sql = "UPDATE sessions SET is_active = @isActive, updated_at = max(updated_at, @now) WHERE owner_key = @ownerKey AND public_id = @sessionId;";
        var changed = await _database.RunAsync(
            isActive ? "restore a session" : "soft-delete a session",
            connection => connection.ExecuteAsync(new CommandDefinition(Sql, new { ownerKey, sessionId, isActive, now }, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }

        LogSessionActiveChanged(_logger, sessionId, isActive);
    }

    /// <inheritdoc />
    public async Task PurgeSessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);

        // Explicit deletes rather than relying on ON DELETE CASCADE, which needs foreign_keys on for every connection.
        const string Sql = $"""
            DELETE FROM summaries WHERE session_id = {SessionKeyOf};
            DELETE FROM messages WHERE session_id = {SessionKeyOf};
            DELETE FROM documents WHERE owner_key = @ownerKey AND session_id = @sessionId;
            DELETE FROM index_outbox WHERE owner_key = @ownerKey AND session_id = @sessionId;
            DELETE FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;
            SELECT changes();
            """;
        var deletedSessions = await _database.RunInTransactionAsync(
            "purge a session",
            (connection, transaction) => connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, new { ownerKey, sessionId }, transaction, cancellationToken: cancellationToken)),
            cancellationToken).ConfigureAwait(false);
        if (deletedSessions == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }

        LogSessionPurged(_logger, sessionId);
    }

    /// <inheritdoc />
    public async Task<ForgetUserReceipt> PurgeOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        const string Sql = """
            DELETE FROM summaries WHERE session_id IN (SELECT id FROM sessions WHERE owner_key = @ownerKey);
            SELECT changes();
            DELETE FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE owner_key = @ownerKey);
            SELECT changes();
            DELETE FROM sessions WHERE owner_key = @ownerKey;
            SELECT changes();
            DELETE FROM documents WHERE owner_key = @ownerKey;
            DELETE FROM index_outbox WHERE owner_key = @ownerKey;
            """;
        var (summaries, messages, sessions) = await _database.RunInTransactionAsync(
            "purge an owner's sessions",
            async (connection, transaction) =>
            {
                using var reader = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { ownerKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                var s = await reader.ReadSingleAsync<int>().ConfigureAwait(false);
                var m = await reader.ReadSingleAsync<int>().ConfigureAwait(false);
                var n = await reader.ReadSingleAsync<int>().ConfigureAwait(false);
                return (s, m, n);
            },
            cancellationToken).ConfigureAwait(false);
        LogOwnerPurged(_logger, sessions, messages, summaries);
        return new ForgetUserReceipt { UserId = owner.Id, Sessions = sessions, Messages = messages, Summaries = summaries };
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The session is soft-deleted.</exception>
    /// <remarks>
    /// A message needs non-empty <see cref="NewMessage.Content"/> unless it carries <see cref="NewMessage.ContentsJson"/>.
    /// When the session has no title yet, the first user message with text gives it one (see <see cref="DeriveTitle"/>).
    /// </remarks>
    public async Task<IReadOnlyList<StoredMessage>> AppendMessagesAsync(MemoryOwner owner, string sessionId, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfDefault(owner);
        SqliteStoreSupport.EnsureId(sessionId);
        Throw.IfNull(messages);
        var rows = new MessageInsert[messages.Count];
        string? derivedTitle = null;
        long tokens = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            rows[i] = MessageInsert.From(messages[i], i, nameof(messages));
            tokens += rows[i].TokenCount;
            if (derivedTitle is null && messages[i].Role == ChatRole.User && !string.IsNullOrWhiteSpace(messages[i].Content))
            {
                derivedTitle = DeriveTitle(messages[i].Content);
            }
        }

        if (rows.Length == 0)
        {
            await _database.RunAsync(
                "check a session",
                async connection =>
                {
                    await EnsureWritableSessionAsync(connection, null, owner, sessionId, cancellationToken).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
            return [];
        }

        var now = SqliteStoreSupport.NowMs(_timeProvider);
        const string InsertSql = """
            INSERT INTO messages (session_id, idempotency_key, response_id, role, content, contents_json, message_type, created_at, token_count, is_trimmed, index_state, metadata)
            VALUES (@SessionKey, @IdempotencyKey, @ResponseId, @Role, @Content, @ContentsJson, @MessageType, @CreatedAt, @TokenCount, 0, 'pending', @Metadata)
            ON CONFLICT (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id;
            """;
        const string ExistingSql = $"SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE m.session_id = @key AND m.idempotency_key = @idempotencyKey;";
        const string CountersSql = """
            UPDATE sessions
            SET message_count = message_count + @count, tokens_used = tokens_used + @tokens,
                updated_at = max(updated_at, @now), title = coalesce(title, @derivedTitle)
            WHERE id = @key;
            """;

        var stored = await _database.RunInTransactionAsync<IReadOnlyList<StoredMessage>>(
            "append messages",
            async (connection, transaction) =>
            {
                var key = await EnsureWritableSessionAsync(connection, transaction, owner, sessionId, cancellationToken).ConfigureAwait(false);
                var result = new List<StoredMessage>(rows.Length);
                var outbox = new List<SqliteOutbox.OutboxWrite>(rows.Length);
                var added = 0;
                long addedTokens = 0;
                foreach (var row in rows)
                {
                    row.SessionKey = key;
                    row.SessionId = sessionId;
                    row.Owner = owner;
                    row.CreatedAt ??= now;
                    var id = await connection.ExecuteScalarAsync<long?>(
                        new CommandDefinition(InsertSql, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (id is null)
                    {
                        // The idempotency key is already stored in this session (a retried or re-sent append): return that message.
                        var existing = await connection.QuerySingleAsync<MessageRow>(new CommandDefinition(
                            ExistingSql, new { key, idempotencyKey = row.IdempotencyKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                        result.Add(existing.ToStored());
                        continue;
                    }

                    added++;
                    addedTokens += row.TokenCount;
                    outbox.Add(new SqliteOutbox.OutboxWrite(owner.Key, sessionId, IndexItemKind.Message, id.Value.ToString(CultureInfo.InvariantCulture)));
                    result.Add(row.ToStored(id.Value));
                }

                if (added > 0)
                {
                    await SqliteOutbox.EnqueueAsync(connection, transaction, outbox, now, cancellationToken).ConfigureAwait(false);
                    await connection.ExecuteAsync(new CommandDefinition(
                        CountersSql, new { key, count = added, tokens = addedTokens, now, derivedTitle }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return result;
            },
            cancellationToken).ConfigureAwait(false);

        LogMessagesAppended(_logger, rows.Length, sessionId, stored[0].Id, stored[^1].Id);
        return stored;
    }

    /// <inheritdoc />
    /// <remarks>
    /// With <see cref="MessageQuery.Newest"/>, <see cref="MessageQuery.Skip"/> counts from the newest end (paging backwards).
    /// Messages of a soft-deleted session can still be read.
    /// </remarks>
    public Task<IReadOnlyList<StoredMessage>> GetMessagesAsync(MemoryOwner owner, string sessionId, MessageQuery? query = null, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        query ??= new MessageQuery();
        Throw.IfLessThan(query.Skip, 0, "query.Skip");
        Throw.IfLessThan(query.Take, 0, "query.Take");

        var sql = $"SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId" +
                  (query.IncludeTrimmed ? string.Empty : " AND m.is_trimmed = 0") +
                  (query.AfterId is null ? string.Empty : " AND m.id > @afterId") +
                  (query.BeforeId is null ? string.Empty : " AND m.id < @beforeId") +
                  (query.Newest ? " ORDER BY m.id DESC" : " ORDER BY m.id") +
                  " LIMIT @take OFFSET @skip;";
        var parameters = new { ownerKey, sessionId, afterId = query.AfterId, beforeId = query.BeforeId, take = query.Take, skip = query.Skip };
        var newest = query.Newest;

        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            "read messages",
            async connection =>
            {
                var rows = (await connection.QueryAsync<MessageRow>(
                    new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
                if (rows.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, ownerKey, sessionId, cancellationToken).ConfigureAwait(false);
                }

                if (newest)
                {
                    rows.Reverse();
                }

                return rows.Select(r => r.ToStored()).ToList();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> GetMessagesByIdAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        Throw.IfNull(messageIds);

        const string Sql = $"SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId AND m.id IN @ids;";
        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            "read messages by id",
            async connection =>
            {
                var result = new List<StoredMessage>();
                foreach (var ids in SqliteStoreSupport.Chunk(messageIds))
                {
                    var rows = await connection.QueryAsync<MessageRow>(
                        new CommandDefinition(Sql, new { ownerKey, sessionId, ids }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    result.AddRange(rows.Select(r => r.ToStored()));
                }

                if (result.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, ownerKey, sessionId, cancellationToken).ConfigureAwait(false);
                }

                result.Sort((a, b) => a.Id.CompareTo(b.Id));
                return result;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One statement: per id, an index seek for the message and two bounded seeks for its neighbours.</remarks>
    public Task<IReadOnlyList<StoredMessage>> GetMessagesWithNeighborsAsync(MemoryOwner owner, IReadOnlyList<long> messageIds, int before = 0, int after = 0, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNull(messageIds);
        Throw.IfLessThan(before, 0);
        Throw.IfLessThan(after, 0);
        if (messageIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<StoredMessage>>([]);
        }

        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            "read messages with neighbours",
            async connection =>
            {
                var byId = new Dictionary<long, StoredMessage>();
                foreach (var ids in messageIds.Distinct().Chunk(100))
                {
                    var sql = new StringBuilder();
                    var parameters = new DynamicParameters();
                    parameters.Add("before", before);
                    parameters.Add("after", after);
                    parameters.Add("ownerKey", ownerKey);
                    for (var i = 0; i < ids.Length; i++)
                    {
                        parameters.Add("id" + i, ids[i]);
                        if (i > 0)
                        {
                            sql.Append(" UNION ALL ");
                        }

                        // The hit, owner-checked through its session's row, and its neighbours in that same session. UNION ALL:
                        // rows repeat when hits are neighbours, and the dictionary below keeps one of each.
                        sql.Append($"SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE m.id = @id{i} AND s.owner_key = @ownerKey");
                        if (before > 0)
                        {
                            sql.Append($" UNION ALL SELECT * FROM (SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE m.session_id = (SELECT session_id FROM messages WHERE id = @id{i}) AND s.owner_key = @ownerKey AND m.id < @id{i} ORDER BY m.id DESC LIMIT @before)");
                        }

                        if (after > 0)
                        {
                            sql.Append($" UNION ALL SELECT * FROM (SELECT {MessageColumns} FROM {MessagesOfSessions} WHERE m.session_id = (SELECT session_id FROM messages WHERE id = @id{i}) AND s.owner_key = @ownerKey AND m.id > @id{i} ORDER BY m.id LIMIT @after)");
                        }
                    }

                    var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(sql.ToString(), parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
                    foreach (var row in rows)
                    {
                        var message = row.ToStored();
                        byId[message.Id] = message;
                    }
                }

                return byId.Values.OrderBy(m => m.Id).ToList();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> SetTrimmedAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, bool trimmed, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        Throw.IfNull(messageIds);

        const string Sql = $"UPDATE messages SET is_trimmed = @trimmed WHERE session_id = {SessionKeyOf} AND is_trimmed <> @trimmed AND id IN @ids;";
        var changed = await _database.RunInTransactionAsync(
            trimmed ? "trim messages" : "restore trimmed messages",
            async (connection, transaction) =>
            {
                var total = 0;
                foreach (var ids in SqliteStoreSupport.Chunk(messageIds))
                {
                    total += await connection.ExecuteAsync(
                        new CommandDefinition(Sql, new { ownerKey, sessionId, trimmed, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                if (total == 0)
                {
                    await EnsureSessionExistsAsync(connection, ownerKey, sessionId, cancellationToken, transaction).ConfigureAwait(false);
                }

                return total;
            },
            cancellationToken).ConfigureAwait(false);

        LogTrimmedChanged(_logger, changed, sessionId, trimmed);
        return changed;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
        => SqliteOutbox.ClaimAsync(_database, maxCount, now, lease, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Completing a message's entry marks the message <see cref="IndexState.Indexed"/>.</remarks>
    public async Task CompleteAsync(IReadOnlyList<long> entryIds, CancellationToken cancellationToken = default)
    {
        await SqliteOutbox.CompleteAsync(_database, entryIds, cancellationToken).ConfigureAwait(false);
        LogMarkedIndexed(_logger, entryIds.Count);
    }

    /// <inheritdoc />
    /// <remarks>A message's state, attempts and error mirror its entry.</remarks>
    public async Task FailAsync(IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken = default)
    {
        await SqliteOutbox.FailAsync(_database, entryIds, error, retryAt, maxAttempts, cancellationToken).ConfigureAwait(false);
        LogMarkedFailed(_logger, entryIds.Count, retryAt);
    }

    /// <inheritdoc />
    /// <remarks><see cref="IndexStatus.LastError"/> is the error of the newest failed or dead entry.</remarks>
    public Task<IndexStatus> GetIndexStatusAsync(MemoryOwner? owner = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        if (sessionId is not null)
        {
            SqliteStoreSupport.EnsureId(sessionId);
            if (owner is null)
            {
                throw new ArgumentException("A session's status needs its owner.", nameof(owner));
            }
        }

        var ownerKey = owner?.Key;
        return _database.RunAsync(
            "read the indexing status",
            async connection =>
            {
                string? sessionKey = null;
                if (sessionId is not null)
                {
                    sessionKey = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                        "SELECT id FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;", new { ownerKey, sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false)
                        ?? throw new SessionNotFoundException(sessionId);
                }

                return await SqliteOutbox.GetStatusAsync(connection, ownerKey, sessionId, sessionKey, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Message ids that are not in the summary's session are ignored (and logged). Every covered summary id must be an
    /// active summary of the same session; otherwise an <see cref="ArgumentException"/> is thrown and nothing is stored.
    /// <see cref="ConversationSummary.CreatedAt"/> is the store's clock unless set.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The session is soft-deleted.</exception>
    public async Task<ConversationSummary?> AddSummaryAsync(
        MemoryOwner owner, ConversationSummary summary, IReadOnlyList<long> trimmedMessageIds, IReadOnlyList<long> coveredSummaryIds, CancellationToken cancellationToken = default)
    {
        Throw.IfDefault(owner);
        Throw.IfNull(summary);
        Throw.IfNull(trimmedMessageIds);
        Throw.IfNull(coveredSummaryIds);
        var sessionId = SqliteStoreSupport.EnsureId(summary.SessionId, "summary.SessionId");
        Throw.IfNullOrWhitespace(summary.Content, "summary.Content");
        SqliteStoreSupport.EnsureStorableText(summary.Content, "summary.Content");
        Throw.IfLessThan(summary.Level, 1, "summary.Level");
        Throw.IfLessThan(summary.TokenCount, 0, "summary.TokenCount");
        if (summary.FirstMessageId > summary.LastMessageId)
        {
            throw new ArgumentException(
                $"FirstMessageId ({summary.FirstMessageId}) is after LastMessageId ({summary.LastMessageId}).", nameof(summary));
        }

        var now = SqliteStoreSupport.NowMs(_timeProvider);
        var createdAt = summary.CreatedAt == default ? now : SqliteStoreSupport.ToUnixMs(summary.CreatedAt);
        var trimmedIds = trimmedMessageIds.Distinct().ToArray();
        var coveredIds = coveredSummaryIds.Distinct().ToArray();

        const string InsertSql = """
            INSERT INTO summaries (session_id, level, first_message_id, last_message_id, parent_id, content, token_count, created_at, superseded_at)
            VALUES (@key, @Level, @FirstMessageId, @LastMessageId, NULL, @Content, @TokenCount, @createdAt, NULL)
            RETURNING id;
            """;
        const string TrimSql = "UPDATE messages SET is_trimmed = 1 WHERE session_id = @key AND is_trimmed = 0 AND id IN @ids;";
        const string AlreadyTrimmedSql = "SELECT count(*) FROM messages WHERE session_id = @key AND is_trimmed = 1 AND id IN @ids;";
        const string SupersedeSql = """
            UPDATE summaries SET superseded_at = @now, parent_id = @summaryId
            WHERE session_id = @key AND superseded_at IS NULL AND id <> @summaryId AND id IN @ids;
            """;

        (long summaryId, int matchedMessages) outcome;
        try
        {
            outcome = await _database.RunInTransactionAsync(
            "add a summary",
            async (connection, transaction) =>
            {
                var key = await EnsureWritableSessionAsync(connection, transaction, owner, sessionId, cancellationToken).ConfigureAwait(false);

                // Optimistic exclusivity: when another writer (instance or process) already trimmed one of these messages,
                // this plan is stale; nothing is stored and the caller plans again from the current state.
                foreach (var ids in trimmedIds.Chunk(SqliteStoreSupport.IdChunkSize))
                {
                    if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(AlreadyTrimmedSql, new { key, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0)
                    {
                        return (-1L, 0);
                    }
                }

                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    InsertSql,
                    new { key, summary.Level, summary.FirstMessageId, summary.LastMessageId, summary.Content, summary.TokenCount, createdAt },
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                await SqliteOutbox.EnqueueAsync(
                    connection, transaction, [new SqliteOutbox.OutboxWrite(owner.Key, sessionId, IndexItemKind.Summary, id.ToString(CultureInfo.InvariantCulture))], now, cancellationToken).ConfigureAwait(false);

                var matched = 0;
                foreach (var ids in trimmedIds.Chunk(SqliteStoreSupport.IdChunkSize))
                {
                    matched += await connection.ExecuteAsync(
                        new CommandDefinition(TrimSql, new { key, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                var superseded = 0;
                foreach (var ids in coveredIds.Chunk(SqliteStoreSupport.IdChunkSize))
                {
                    superseded += await connection.ExecuteAsync(
                        new CommandDefinition(SupersedeSql, new { key, now, summaryId = id, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                if (superseded != coveredIds.Length && await AnyCoveredAlreadySupersededAsync().ConfigureAwait(false))
                {
                    // Another writer rolled these summaries up first: stale plan, roll back (by not committing) and report it.
                    throw new StalePlanException();
                }

                if (superseded != coveredIds.Length)
                {
                    // Leaving the transaction uncommitted rolls back the insert and the trimming above.
                    throw new ArgumentException(
                        $"Summaries {string.Join(", ", await FindInvalidCoveredAsync().ConfigureAwait(false))} are not active summaries of session '{sessionId}'; nothing was changed.",
                        nameof(coveredSummaryIds));
                }

                return (id, matched);

                async Task<bool> AnyCoveredAlreadySupersededAsync()
                {
                    const string SupersededSql = "SELECT count(*) FROM summaries WHERE session_id = @key AND superseded_at IS NOT NULL AND parent_id <> @summaryId AND id IN @ids;";
                    foreach (var ids in coveredIds.Chunk(SqliteStoreSupport.IdChunkSize))
                    {
                        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(SupersededSql, new { key, summaryId = id, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0)
                        {
                            return true;
                        }
                    }

                    return false;
                }

                async Task<IEnumerable<long>> FindInvalidCoveredAsync()
                {
                    // The superseding update already ran, so ask about the state before it: rows it changed point at this summary.
                    const string ChangedSql = "SELECT id FROM summaries WHERE session_id = @key AND parent_id = @summaryId AND id IN @ids;";
                    var valid = new HashSet<long>();
                    foreach (var ids in coveredIds.Chunk(SqliteStoreSupport.IdChunkSize))
                    {
                        valid.UnionWith(await connection.QueryAsync<long>(
                            new CommandDefinition(ChangedSql, new { key, summaryId = id, ids }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false));
                    }

                    return coveredIds.Where(c => !valid.Contains(c));
                }
            },
            cancellationToken).ConfigureAwait(false);
        }
        catch (StalePlanException)
        {
            outcome = (-1, 0);
        }

        var (summaryId, matchedMessages) = outcome;
        if (summaryId < 0)
        {
            LogStalePlan(_logger, sessionId);
            return null;
        }

        if (matchedMessages != trimmedIds.Length)
        {
            LogForeignMessagesIgnored(_logger, summaryId, sessionId, trimmedIds.Length - matchedMessages);
        }

        LogSummaryAdded(_logger, summaryId, sessionId, summary.Level, matchedMessages, coveredIds.Length);
        return new ConversationSummary
        {
            Id = summaryId,
            SessionId = sessionId,
            Level = summary.Level,
            FirstMessageId = summary.FirstMessageId,
            LastMessageId = summary.LastMessageId,
            Content = summary.Content,
            TokenCount = summary.TokenCount,
            CreatedAt = SqliteStoreSupport.FromUnixMs(createdAt),
        };
    }

    /// <inheritdoc />
    /// <remarks>Ordered by first covered message, then level (a roll-up after the summaries it starts with), then id.</remarks>
    public Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(MemoryOwner owner, string sessionId, bool activeOnly = true, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        var sql = $"SELECT {SummaryColumns} FROM summaries WHERE session_id = {SessionKeyOf}" +
                  (activeOnly ? " AND superseded_at IS NULL" : string.Empty) +
                  " ORDER BY first_message_id, level, id;";
        return _database.RunAsync<IReadOnlyList<ConversationSummary>>(
            "read summaries",
            async connection =>
            {
                var rows = (await connection.QueryAsync<SummaryRow>(
                    new CommandDefinition(sql, new { ownerKey, sessionId }, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
                if (rows.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, ownerKey, sessionId, cancellationToken).ConfigureAwait(false);
                }

                return rows.Select(r => r.ToSummary()).ToList();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConversationSummary?> GetSummaryAsync(MemoryOwner owner, string sessionId, long summaryId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        SqliteStoreSupport.EnsureId(sessionId);
        const string Sql = $"SELECT {SummaryColumns} FROM summaries WHERE session_id = {SessionKeyOf} AND id = @summaryId;";
        return _database.RunAsync(
            "read a summary",
            async connection =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<SummaryRow>(
                    new CommandDefinition(Sql, new { ownerKey, sessionId, summaryId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (row is null)
                {
                    await EnsureSessionExistsAsync(connection, ownerKey, sessionId, cancellationToken).ConfigureAwait(false);
                }

                return row?.ToSummary();
            },
            cancellationToken);
    }

    /// <summary>
    /// Derives a session title from a message: its first non-blank line, trimmed, cut at a word boundary when longer than
    /// <see cref="DerivedTitleMaxLength"/> characters, with an ellipsis when cut.
    /// </summary>
    internal static string DeriveTitle(string content)
    {
        var line = content.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? content.Trim();
        if (line.Length <= DerivedTitleMaxLength)
        {
            return line;
        }

        var cut = DerivedTitleMaxLength - 1;
        if (char.IsLowSurrogate(line[cut]))
        {
            cut--;
        }

        // Prefer ending on a whole word when one ends in the last third of the allowed length.
        var space = line.LastIndexOf(' ', cut);
        if (space >= DerivedTitleMaxLength * 2 / 3)
        {
            cut = space;
        }

        return line[..cut].TrimEnd() + "\u2026";
    }

    /// <summary>Checks that the owner's session exists and is active, and returns its storage key.</summary>
    private static async Task<string> EnsureWritableSessionAsync(SqliteConnection connection, SqliteTransaction? transaction, MemoryOwner owner, string sessionId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Key, long IsActive)?>(new CommandDefinition(
            "SELECT id, is_active FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;",
            new { ownerKey = owner.Key, sessionId },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null)
        {
            throw new SessionNotFoundException(sessionId);
        }

        if (row.Value.IsActive == 0)
        {
            throw new InvalidOperationException(
                $"Session '{sessionId}' is soft-deleted; restore it (SetSessionActiveAsync(owner, sessionId, true), or ChatMemory.RestoreSessionAsync) before adding to it.");
        }

        return row.Value.Key;
    }

    private static async Task EnsureSessionExistsAsync(SqliteConnection connection, string ownerKey, string sessionId, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;", new { ownerKey, sessionId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists is null)
        {
            throw new SessionNotFoundException(sessionId);
        }
    }

    /// <summary>Thrown inside a summary transaction to roll it back when another writer changed what it covers.</summary>
    private sealed class StalePlanException : Exception
    {
    }

    private static string ToDb(StoredMessageType type) => type switch
    {
        StoredMessageType.Chat => "chat",
        StoredMessageType.Report => "report",
        StoredMessageType.System => "system",
        StoredMessageType.Tool => "tool",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown message type."),
    };

    private static StoredMessageType MessageTypeFromDb(string value) => value switch
    {
        "chat" => StoredMessageType.Chat,
        "report" => StoredMessageType.Report,
        "system" => StoredMessageType.System,
        "tool" => StoredMessageType.Tool,
        _ => throw new LongMemoryStoreException($"The database holds an unknown message_type '{value}'."),
    };

    private static IndexState IndexStateFromDb(string value) => value switch
    {
        "pending" => IndexState.Pending,
        "indexed" => IndexState.Indexed,
        "failed" => IndexState.Failed,
        "dead" => IndexState.Dead,
        _ => throw new LongMemoryStoreException($"The database holds an unknown index_state '{value}'."),
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Created session {SessionId} (has user: {HasUser}).")]
    private static partial void LogSessionCreated(ILogger logger, string sessionId, bool hasUser);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Session {SessionId} active set to {IsActive}.")]
    private static partial void LogSessionActiveChanged(ILogger logger, string sessionId, bool isActive);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Purged an owner's {Sessions} sessions, {Messages} messages and {Summaries} summaries.")]
    private static partial void LogOwnerPurged(ILogger logger, int sessions, int messages, int summaries);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Purged session {SessionId} with its messages and summaries.")]
    private static partial void LogSessionPurged(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Appended {Count} messages to session {SessionId} (ids {FirstId}..{LastId}).")]
    private static partial void LogMessagesAppended(ILogger logger, int count, string sessionId, long firstId, long lastId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Set {Count} messages of session {SessionId} trimmed={Trimmed}.")]
    private static partial void LogTrimmedChanged(ILogger logger, int count, string sessionId, bool trimmed);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Completed {Count} indexing outbox entries.")]
    private static partial void LogMarkedIndexed(ILogger logger, int count);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Indexing failed for {Count} outbox entries; retry at {RetryAt:o}.")]
    private static partial void LogMarkedFailed(ILogger logger, int count, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Session {SessionId}: a summary plan was stale (another writer reduced first); nothing stored.")]
    private static partial void LogStalePlan(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Added summary {SummaryId} to session {SessionId} (level {Level}, {Trimmed} messages trimmed, {Covered} summaries rolled up).")]
    private static partial void LogSummaryAdded(ILogger logger, long summaryId, string sessionId, int level, int trimmed, int covered);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Summary {SummaryId} of session {SessionId} cited {Count} message ids that are not in that session; they were left unchanged.")]
    private static partial void LogForeignMessagesIgnored(ILogger logger, long summaryId, string sessionId, int count);

    private sealed class SessionRow
    {
        public string Id { get; set; } = string.Empty;

        public string OwnerKey { get; set; } = string.Empty;

        public string? Title { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public long IsActive { get; set; }

        public long MessageCount { get; set; }

        public long TokensUsed { get; set; }

        public string? Metadata { get; set; }

        public ChatSession ToSession() => new()
        {
            Id = Id,
            Owner = MemoryOwner.FromKey(OwnerKey),
            Title = Title,
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            UpdatedAt = SqliteStoreSupport.FromUnixMs(UpdatedAt),
            IsActive = IsActive != 0,
            MessageCount = checked((int)MessageCount),
            TokensUsed = TokensUsed,
            Metadata = SqliteStoreSupport.DeserializeMetadata(Metadata),
        };
    }

    private sealed class MessageRow
    {
        public long Id { get; set; }

        public string SessionId { get; set; } = string.Empty;

        public string? ResponseId { get; set; }

        public string Role { get; set; } = string.Empty;

        public string Content { get; set; } = string.Empty;

        public string? ContentsJson { get; set; }

        public string MessageType { get; set; } = "chat";

        public long CreatedAt { get; set; }

        public long TokenCount { get; set; }

        public long IsTrimmed { get; set; }

        public string IndexState { get; set; } = "pending";

        public long IndexAttempts { get; set; }

        public string? IndexError { get; set; }

        public string? Metadata { get; set; }

        public string OwnerKey { get; set; } = string.Empty;

        public StoredMessage ToStored() => new()
        {
            Owner = MemoryOwner.FromKey(OwnerKey),
            Id = Id,
            SessionId = SessionId,
            ResponseId = ResponseId,
            Role = new ChatRole(Role),
            Content = Content,
            ContentsJson = ContentsJson,
            MessageType = MessageTypeFromDb(MessageType),
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            TokenCount = checked((int)TokenCount),
            IsTrimmed = IsTrimmed != 0,
            IndexState = IndexStateFromDb(IndexState),
            IndexAttempts = checked((int)IndexAttempts),
            IndexError = IndexError,
            Metadata = SqliteStoreSupport.DeserializeMetadata(Metadata),
        };
    }

    private sealed class SummaryRow
    {
        public long Id { get; set; }

        public string SessionId { get; set; } = string.Empty;

        public long Level { get; set; }

        public long FirstMessageId { get; set; }

        public long LastMessageId { get; set; }

        public long? ParentId { get; set; }

        public string Content { get; set; } = string.Empty;

        public long TokenCount { get; set; }

        public long CreatedAt { get; set; }

        public long? SupersededAt { get; set; }

        public ConversationSummary ToSummary() => new()
        {
            Id = Id,
            SessionId = SessionId,
            Level = checked((int)Level),
            FirstMessageId = FirstMessageId,
            LastMessageId = LastMessageId,
            ParentId = ParentId,
            Content = Content,
            TokenCount = checked((int)TokenCount),
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt),
            SupersededAt = SqliteStoreSupport.FromUnixMs(SupersededAt),
        };
    }

    /// <summary>A validated message ready to insert; its properties are the SQL parameters.</summary>
    private sealed class MessageInsert
    {
        public string SessionKey { get; set; } = string.Empty;

        public string SessionId { get; set; } = string.Empty;

        public string? IdempotencyKey { get; init; }

        public MemoryOwner Owner { get; set; }

        public string? ResponseId { get; init; }

        public required string Role { get; init; }

        public required string Content { get; init; }

        public string? ContentsJson { get; init; }

        public required string MessageType { get; init; }

        public long? CreatedAt { get; set; }

        public int TokenCount { get; init; }

        public string? Metadata { get; init; }

        public static MessageInsert From(NewMessage? message, int index, string paramName)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{paramName}[{index}]");
            if (message is null)
            {
                throw new ArgumentException($"{at} is null.", paramName);
            }

            if (string.IsNullOrWhiteSpace(message.Role.Value))
            {
                throw new ArgumentException($"{at}.Role is empty.", paramName);
            }

            if (message.Content is null)
            {
                throw new ArgumentException($"{at}.Content is null; use an empty string with ContentsJson for a message without text.", paramName);
            }

            if (message.ContentsJson is not null && string.IsNullOrWhiteSpace(message.ContentsJson))
            {
                throw new ArgumentException($"{at}.ContentsJson is empty; leave it null for a text-only message.", paramName);
            }

            if (string.IsNullOrWhiteSpace(message.Content) && message.ContentsJson is null)
            {
                throw new ArgumentException($"{at}.Content is empty; a message without text must carry ContentsJson.", paramName);
            }

            if (message.TokenCount < 0)
            {
                throw new ArgumentException($"{at}.TokenCount is negative ({message.TokenCount}).", paramName);
            }

            if (message.ResponseId is not null && string.IsNullOrWhiteSpace(message.ResponseId))
            {
                throw new ArgumentException($"{at}.ResponseId is empty; leave it null when there is none.", paramName);
            }

            if (message.IdempotencyKey is not null && string.IsNullOrWhiteSpace(message.IdempotencyKey))
            {
                throw new ArgumentException($"{at}.IdempotencyKey is empty; leave it null when there is none.", paramName);
            }

            SqliteStoreSupport.EnsureStorableText(message.IdempotencyKey, paramName);
            SqliteStoreSupport.EnsureStorableText(message.Content, paramName);
            SqliteStoreSupport.EnsureStorableText(message.ContentsJson, paramName);
            SqliteStoreSupport.EnsureStorableText(message.ResponseId, paramName);
            SqliteStoreSupport.EnsureStorableText(message.Role.Value, paramName);

            return new MessageInsert
            {
                IdempotencyKey = message.IdempotencyKey,
                ResponseId = message.ResponseId,
                Role = message.Role.Value,
                Content = message.Content,
                ContentsJson = message.ContentsJson,
                MessageType = ToDb(message.MessageType),
                CreatedAt = message.CreatedAt is { } created ? SqliteStoreSupport.ToUnixMs(created) : null,
                TokenCount = message.TokenCount,
                Metadata = SqliteStoreSupport.SerializeMetadata(message.Metadata, paramName),
            };
        }

        public StoredMessage ToStored(long id) => new()
        {
            Id = id,
            Owner = Owner,
            SessionId = SessionId,
            ResponseId = ResponseId,
            Role = new ChatRole(Role),
            Content = Content,
            ContentsJson = ContentsJson,
            MessageType = MessageTypeFromDb(MessageType),
            CreatedAt = SqliteStoreSupport.FromUnixMs(CreatedAt ?? 0),
            TokenCount = TokenCount,
            IsTrimmed = false,
            IndexState = IndexState.Pending,
            Metadata = SqliteStoreSupport.DeserializeMetadata(Metadata),
        };
    }
}
