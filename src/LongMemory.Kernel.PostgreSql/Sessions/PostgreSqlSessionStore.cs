using System.Globalization;
using Dapper;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// The session side of the storage SPI on PostgreSQL (Dapper over Npgsql): sessions, messages, summaries and the indexing
/// outbox, with the semantics of the SQLite store, made safe for several app instances on one database.
/// </summary>
/// <remarks>
/// <para>
/// Session ids are unique per owner: <c>sessions.id</c> is an internal storage key, <c>public_id</c> the id callers use.
/// Every write runs in one transaction. Appends and summaries first lock their session's row (<c>SELECT ... FOR UPDATE</c>),
/// so writers of one session queue on it: message ids grow in commit order within a session, counters stay exact, and
/// of two instances reducing the same session the second finds the messages trimmed (or summaries superseded) by the first
/// and gets <see langword="null"/> from <see cref="AddSummaryAsync"/>, so it plans again instead of summarizing the same
/// messages. An append is idempotent per <see cref="NewMessage.IdempotencyKey"/> through a unique index and
/// <c>INSERT ... ON CONFLICT DO NOTHING</c>: the same turn re-sent by two instances is stored once. Outbox entries are
/// written in the transaction of their rows and claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease.
/// </para>
/// <para>
/// Timestamps are <c>timestamptz</c> kept to whole milliseconds (as SQLite keeps them). Text with a NUL character or an
/// unpaired UTF-16 surrogate is rejected with an <see cref="ArgumentException"/>: PostgreSQL cannot store it verbatim.
/// A soft-deleted session can be read, renamed, restored and purged; adding to it throws <see cref="InvalidOperationException"/>.
/// Server and pool failures surface as <see cref="LongMemoryStoreException"/>, with the transaction rolled back.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlSessionStore : ISessionStore, IMessageStore, ISummaryStore, IIndexOutbox
{
    /// <summary>The longest title derived from a first user message, including the ellipsis.</summary>
    internal const int DerivedTitleMaxLength = 60;

    private const string SessionColumns =
        "public_id AS Id, owner_key AS OwnerKey, title AS Title, created_at AS CreatedAt, updated_at AS UpdatedAt, is_active AS IsActive, " +
        "message_count AS MessageCount, tokens_used AS TokensUsed, metadata AS Metadata";

    private const string MessageColumns =
        "m.id AS Id, s.public_id AS SessionId, s.owner_key AS OwnerKey, m.response_id AS ResponseId, m.role AS Role, m.content AS Content, " +
        "m.contents_json AS ContentsJson, m.message_type AS MessageType, m.created_at AS CreatedAt, m.token_count AS TokenCount, m.is_trimmed AS IsTrimmed, " +
        "m.index_state AS IndexState, m.index_attempts AS IndexAttempts, m.index_error AS IndexError, m.metadata AS Metadata";

    private const string SummaryColumns =
        "u.id AS Id, s.public_id AS SessionId, u.level AS Level, u.first_message_id AS FirstMessageId, u.last_message_id AS LastMessageId, " +
        "u.parent_id AS ParentId, u.content AS Content, u.token_count AS TokenCount, u.created_at AS CreatedAt, u.superseded_at AS SupersededAt";

    private readonly PostgreSqlMemoryDatabase _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _s;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlSessionStore"/> class.</summary>
    /// <param name="database">The database (its pool and schema); the caller owns it.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger.</param>
    public PostgreSqlSessionStore(PostgreSqlMemoryDatabase database, TimeProvider? timeProvider = null, ILogger<PostgreSqlSessionStore>? logger = null)
    {
        _database = Throw.IfNull(database);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _s = database.QuotedSchema;
    }

    /// <summary>Gets the database the store works on.</summary>
    public PostgreSqlMemoryDatabase Database => _database;

    /// <inheritdoc />
    /// <exception cref="SessionAlreadyExistsException">The owner already has a session with <paramref name="sessionId"/> (active or soft-deleted).</exception>
    public async Task<ChatSession> CreateSessionAsync(
        MemoryOwner owner, string? sessionId = null, string? title = null, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        PostgreSqlStoreSupport.EnsureStorableText(Throw.IfDefault(owner).Id, nameof(owner));
        if (title is not null)
        {
            Throw.IfNullOrWhitespace(title);
            PostgreSqlStoreSupport.EnsureStorableText(title, nameof(title));
        }

        if (sessionId is not null)
        {
            Throw.IfNullOrWhitespace(sessionId);
            PostgreSqlStoreSupport.EnsureStorableText(sessionId, nameof(sessionId));
        }

        if (owner.Kind == MemoryOwnerKind.AnonymousSession && sessionId is not null && !string.Equals(sessionId, owner.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"An anonymous session owns only itself: its id must be '{owner.Id}'.", nameof(sessionId));
        }

        var id = sessionId ?? (owner.Kind == MemoryOwnerKind.AnonymousSession ? owner.Id : Guid.NewGuid().ToString("N"));
        var ownerKey = owner.Key;
        var userId = owner.UserId;
        var metadataJson = PostgreSqlStoreSupport.SerializeMetadata(metadata, nameof(metadata));
        var now = PostgreSqlStoreSupport.Now(_timeProvider);

        var sql = $"""
            INSERT INTO {_s}.sessions (owner_key, public_id, user_id, title, created_at, updated_at, is_active, message_count, tokens_used, metadata)
            VALUES (@ownerKey, @id, @userId, @title, @now, @now, true, 0, 0, @metadataJson)
            ON CONFLICT (owner_key, public_id) DO NOTHING;
            """;
        var inserted = await _database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = E(ownerKey), id = E(id), userId = E(userId), title = E(title), now, metadataJson = E(metadataJson) }, cancellationToken: ct)),
            "create a session",
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
            CreatedAt = now,
            UpdatedAt = now,
            IsActive = true,
            Metadata = PostgreSqlStoreSupport.DeserializeMetadata(metadataJson),
        };
    }

    /// <inheritdoc />
    public Task<ChatSession?> GetSessionAsync(MemoryOwner owner, string sessionId, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        var sql = $"SELECT {SessionColumns} FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId" + (includeDeleted ? ";" : " AND is_active;");
        return _database.RunAsync(
            async (connection, ct) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(
                    new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId) }, cancellationToken: ct)).ConfigureAwait(false);
                return row?.ToSession();
            },
            "read a session",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatSession>> GetSessionsAsync(MemoryOwner owner, IReadOnlyCollection<string> sessionIds, bool includeDeleted = false, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNull(sessionIds);
        if (sessionIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<ChatSession>>([]);
        }

        var ids = sessionIds.Distinct(StringComparer.Ordinal).ToArray();
        var sql = $"SELECT {SessionColumns} FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = ANY(@ids)" + (includeDeleted ? ";" : " AND is_active;");
        return _database.RunAsync<IReadOnlyList<ChatSession>>(
            async (connection, ct) =>
            {
                var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition(sql, new { ownerKey = E(ownerKey), ids = PostgreSqlText.Encode(ids) }, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.ToSession()).ToList();
            },
            "read sessions",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatSession>> ListSessionsAsync(MemoryOwner owner, int skip = 0, int take = 50, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfLessThan(skip, 0);
        Throw.IfLessThan(take, 0);

        // The storage key breaks ties between sessions updated in the same millisecond: the later-created one comes first.
        var sql = $"""
            SELECT {SessionColumns} FROM {_s}.sessions
            WHERE owner_key = @ownerKey AND is_active
            ORDER BY updated_at DESC, id DESC
            LIMIT @take OFFSET @skip;
            """;
        return _database.RunAsync<IReadOnlyList<ChatSession>>(
            async (connection, ct) =>
            {
                var rows = await connection.QueryAsync<SessionRow>(new CommandDefinition(sql, new { ownerKey = E(ownerKey), skip, take }, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.ToSession()).ToList();
            },
            "list sessions",
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task RenameSessionAsync(MemoryOwner owner, string sessionId, string title, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNullOrWhitespace(title);
        PostgreSqlStoreSupport.EnsureStorableText(title, nameof(title));
        var now = PostgreSqlStoreSupport.Now(_timeProvider);

        var sql = $"UPDATE {_s}.sessions SET title = @title, updated_at = greatest(updated_at, @now) WHERE owner_key = @ownerKey AND public_id = @sessionId;";
        var changed = await _database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId), title = E(title), now }, cancellationToken: ct)),
            "rename a session",
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
        Throw.IfNullOrWhitespace(sessionId);
        var now = PostgreSqlStoreSupport.Now(_timeProvider);

        var sql = $"UPDATE {_s}.sessions SET is_active = @isActive, updated_at = greatest(updated_at, @now) WHERE owner_key = @ownerKey AND public_id = @sessionId;";
        var changed = await _database.RunAsync(
            (connection, ct) => connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId), isActive, now }, cancellationToken: ct)),
            isActive ? "restore a session" : "soft-delete a session",
            cancellationToken).ConfigureAwait(false);
        if (changed == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }

        LogSessionActiveChanged(_logger, sessionId, isActive);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the session's documents and outbox entries, then the session (its messages and summaries follow by cascade).</remarks>
    public async Task PurgeSessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);

        var sql = $"""
            DELETE FROM {_s}.documents WHERE owner_key = @ownerKey AND session_id = @sessionId;
            DELETE FROM {_s}.index_outbox WHERE owner_key = @ownerKey AND session_id = @sessionId;
            DELETE FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;
            """;
        var deleted = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                // Lock the session first, so a concurrent append either commits before the purge or finds the session gone.
                var key = await LockSessionAsync(connection, transaction, ownerKey, sessionId, ct).ConfigureAwait(false);
                if (key is null)
                {
                    return false;
                }

                await connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                return true;
            },
            "purge a session",
            cancellationToken).ConfigureAwait(false);
        if (!deleted)
        {
            throw new SessionNotFoundException(sessionId);
        }

        LogSessionPurged(_logger, sessionId);
    }

    /// <inheritdoc />
    public async Task<ForgetUserReceipt> PurgeOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        var summariesSql = $"DELETE FROM {_s}.summaries WHERE session_key IN (SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey);";
        var messagesSql = $"DELETE FROM {_s}.messages WHERE session_key IN (SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey);";
        var sessionsSql = $"DELETE FROM {_s}.sessions WHERE owner_key = @ownerKey;";
        var restSql = $"""
            DELETE FROM {_s}.documents WHERE owner_key = @ownerKey;
            DELETE FROM {_s}.index_outbox WHERE owner_key = @ownerKey;
            """;
        var (summaries, messages, sessions) = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                // Lock the owner's sessions first: appends in flight commit before, or find their session gone.
                await connection.ExecuteAsync(new CommandDefinition(
                    $"SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey ORDER BY id FOR UPDATE;", new { ownerKey = E(ownerKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                var s = await connection.ExecuteAsync(new CommandDefinition(summariesSql, new { ownerKey = E(ownerKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                var m = await connection.ExecuteAsync(new CommandDefinition(messagesSql, new { ownerKey = E(ownerKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                var n = await connection.ExecuteAsync(new CommandDefinition(sessionsSql, new { ownerKey = E(ownerKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(restSql, new { ownerKey = E(ownerKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                return (s, m, n);
            },
            "purge an owner's sessions",
            cancellationToken).ConfigureAwait(false);

        LogOwnerPurged(_logger, sessions, messages, summaries);
        return new ForgetUserReceipt
        {
            UserId = owner.Id,
            Sessions = sessions,
            Messages = messages,
            Summaries = summaries,
        };
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The session is soft-deleted.</exception>
    /// <remarks>
    /// A message needs non-empty <see cref="NewMessage.Content"/> unless it carries <see cref="NewMessage.ContentsJson"/>.
    /// When the session has no title yet, the first user message with text gives it one.
    /// </remarks>
    public async Task<IReadOnlyList<StoredMessage>> AppendMessagesAsync(MemoryOwner owner, string sessionId, IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfDefault(owner);
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNull(messages);
        var rows = new MessageInsert[messages.Count];
        string? derivedTitle = null;
        for (var i = 0; i < messages.Count; i++)
        {
            rows[i] = MessageInsert.From(messages[i], i, nameof(messages));
            if (derivedTitle is null && messages[i].Role == ChatRole.User && !string.IsNullOrWhiteSpace(messages[i].Content))
            {
                derivedTitle = DeriveTitle(messages[i].Content);
            }
        }

        if (rows.Length == 0)
        {
            await _database.RunAsync(
                async (connection, ct) =>
                {
                    await EnsureWritableSessionAsync(connection, null, owner, sessionId, ct).ConfigureAwait(false);
                    return true;
                },
                "check a session",
                cancellationToken).ConfigureAwait(false);
            return [];
        }

        var now = PostgreSqlStoreSupport.Now(_timeProvider);
        var insertSql = $"""
            INSERT INTO {_s}.messages (session_key, idempotency_key, response_id, role, content, contents_json, message_type, created_at, token_count, is_trimmed, index_state, metadata)
            VALUES (@SessionKey, @IdempotencyKey, @ResponseId, @Role, @Content, @ContentsJson, @MessageType, @CreatedAt, @TokenCount, false, 'pending', @Metadata)
            ON CONFLICT (session_key, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id;
            """;
        var existingSql = $"SELECT {MessageColumns} FROM {_s}.messages m JOIN {_s}.sessions s ON s.id = m.session_key WHERE m.session_key = @key AND m.idempotency_key = @idempotencyKey;";
        var countersSql = $"""
            UPDATE {_s}.sessions
            SET message_count = message_count + @count, tokens_used = tokens_used + @tokens,
                updated_at = greatest(updated_at, @now), title = coalesce(title, @derivedTitle)
            WHERE id = @key;
            """;

        var stored = await _database.RunInTransactionAsync<IReadOnlyList<StoredMessage>>(
            async (connection, transaction, ct) =>
            {
                // The session's row lock orders the appends of one session (ids grow in commit order) and keeps counters exact.
                var key = await EnsureWritableSessionAsync(connection, transaction, owner, sessionId, ct).ConfigureAwait(false);
                var result = new List<StoredMessage>(rows.Length);
                var outbox = new List<PostgreSqlOutbox.OutboxWrite>(rows.Length);
                var added = 0;
                long addedTokens = 0;
                foreach (var row in rows)
                {
                    row.SessionKey = key;
                    row.SessionId = sessionId;
                    row.Owner = owner;
                    row.CreatedAt ??= now;
                    var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(insertSql, row.ToParameters(), transaction, cancellationToken: ct)).ConfigureAwait(false);
                    if (id is null)
                    {
                        // The idempotency key is already stored in this session (a retried or re-sent append): return that message.
                        var existing = await connection.QuerySingleAsync<MessageRow>(new CommandDefinition(
                            existingSql, new { key, idempotencyKey = E(row.IdempotencyKey) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                        result.Add(existing.ToStored());
                        continue;
                    }

                    added++;
                    addedTokens += row.TokenCount;
                    outbox.Add(new PostgreSqlOutbox.OutboxWrite(owner.Key, sessionId, IndexItemKind.Message, id.Value.ToString(CultureInfo.InvariantCulture)));
                    result.Add(row.ToStored(id.Value));
                }

                if (added > 0)
                {
                    await PostgreSqlOutbox.EnqueueAsync(_database, connection, transaction, outbox, now, ct).ConfigureAwait(false);
                    await connection.ExecuteAsync(new CommandDefinition(
                        countersSql, new { key, count = added, tokens = addedTokens, now, derivedTitle = E(derivedTitle) }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                }

                return result;
            },
            "append messages",
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
        Throw.IfNullOrWhitespace(sessionId);
        query ??= new MessageQuery();
        Throw.IfLessThan(query.Skip, 0, "query.Skip");
        Throw.IfLessThan(query.Take, 0, "query.Take");

        var sql = $"SELECT {MessageColumns} FROM {_s}.messages m JOIN {_s}.sessions s ON s.id = m.session_key WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId" +
                  (query.IncludeTrimmed ? string.Empty : " AND NOT m.is_trimmed") +
                  (query.AfterId is null ? string.Empty : " AND m.id > @afterId") +
                  (query.BeforeId is null ? string.Empty : " AND m.id < @beforeId") +
                  (query.Newest ? " ORDER BY m.id DESC" : " ORDER BY m.id") +
                  " LIMIT @take OFFSET @skip;";
        var parameters = new { ownerKey = E(ownerKey), sessionId = E(sessionId), afterId = query.AfterId, beforeId = query.BeforeId, take = query.Take, skip = query.Skip };
        var newest = query.Newest;

        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            async (connection, ct) =>
            {
                var rows = (await connection.QueryAsync<MessageRow>(new CommandDefinition(sql, parameters, cancellationToken: ct)).ConfigureAwait(false)).ToList();
                if (rows.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, null, ownerKey, sessionId, ct).ConfigureAwait(false);
                }

                if (newest)
                {
                    rows.Reverse();
                }

                return rows.Select(r => r.ToStored()).ToList();
            },
            "read messages",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMessage>> GetMessagesByIdAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNull(messageIds);
        var ids = messageIds.Distinct().ToArray();

        var sql = $"SELECT {MessageColumns} FROM {_s}.messages m JOIN {_s}.sessions s ON s.id = m.session_key WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId AND m.id = ANY(@ids) ORDER BY m.id;";
        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            async (connection, ct) =>
            {
                var rows = (await connection.QueryAsync<MessageRow>(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId), ids }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
                if (rows.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, null, ownerKey, sessionId, ct).ConfigureAwait(false);
                }

                return rows.Select(r => r.ToStored()).ToList();
            },
            "read messages by id",
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One statement: per id, an index seek for the message and two bounded lateral seeks for its neighbours.</remarks>
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

        var ids = messageIds.Distinct().ToArray();
        var sql = $"""
            WITH targets AS (
                SELECT m.id, m.session_key FROM {_s}.messages m JOIN {_s}.sessions s ON s.id = m.session_key
                WHERE m.id = ANY(@ids) AND s.owner_key = @ownerKey),
            wanted AS (
                SELECT id FROM targets
                UNION
                SELECT b.id FROM targets t CROSS JOIN LATERAL (
                    SELECT id FROM {_s}.messages WHERE session_key = t.session_key AND id < t.id ORDER BY id DESC LIMIT @before) b
                UNION
                SELECT a.id FROM targets t CROSS JOIN LATERAL (
                    SELECT id FROM {_s}.messages WHERE session_key = t.session_key AND id > t.id ORDER BY id LIMIT @after) a)
            SELECT {MessageColumns} FROM wanted w JOIN {_s}.messages m ON m.id = w.id JOIN {_s}.sessions s ON s.id = m.session_key
            ORDER BY m.id;
            """;
        return _database.RunAsync<IReadOnlyList<StoredMessage>>(
            async (connection, ct) =>
            {
                var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(sql, new { ids, ownerKey = E(ownerKey), before, after }, cancellationToken: ct)).ConfigureAwait(false);
                return rows.Select(r => r.ToStored()).ToList();
            },
            "read messages with neighbours",
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> SetTrimmedAsync(MemoryOwner owner, string sessionId, IReadOnlyList<long> messageIds, bool trimmed, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        Throw.IfNull(messageIds);
        var ids = messageIds.Distinct().ToArray();

        var sql = $"""
            UPDATE {_s}.messages SET is_trimmed = @trimmed
            WHERE session_key = (SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId)
              AND is_trimmed <> @trimmed AND id = ANY(@ids);
            """;
        var changed = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var total = await connection.ExecuteAsync(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId), trimmed, ids }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (total == 0)
                {
                    await EnsureSessionExistsAsync(connection, transaction, ownerKey, sessionId, ct).ConfigureAwait(false);
                }

                return total;
            },
            trimmed ? "trim messages" : "restore trimmed messages",
            cancellationToken).ConfigureAwait(false);

        LogTrimmedChanged(_logger, changed, sessionId, trimmed);
        return changed;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>SELECT ... FOR UPDATE SKIP LOCKED</c> picks the due entries and the same statement sets their lease, so each entry
    /// is claimed by one caller (thread, process or instance) until its lease expires.
    /// </remarks>
    public Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
        => PostgreSqlOutbox.ClaimAsync(_database, maxCount, now, lease, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Completing a message's entry marks the message <see cref="IndexState.Indexed"/>.</remarks>
    public async Task CompleteAsync(IReadOnlyList<long> entryIds, CancellationToken cancellationToken = default)
    {
        await PostgreSqlOutbox.CompleteAsync(_database, entryIds, cancellationToken).ConfigureAwait(false);
        LogMarkedIndexed(_logger, entryIds.Count);
    }

    /// <inheritdoc />
    /// <remarks>A message's state, attempts and error mirror its entry.</remarks>
    public async Task FailAsync(IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken = default)
    {
        await PostgreSqlOutbox.FailAsync(_database, entryIds, error, retryAt, maxAttempts, cancellationToken).ConfigureAwait(false);
        LogMarkedFailed(_logger, entryIds.Count, retryAt);
    }

    /// <inheritdoc />
    /// <remarks><see cref="IndexStatus.LastError"/> is the error of the newest failed or dead entry.</remarks>
    public Task<IndexStatus> GetIndexStatusAsync(MemoryOwner? owner = null, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        if (sessionId is not null)
        {
            Throw.IfNullOrWhitespace(sessionId);
            if (owner is null)
            {
                throw new ArgumentException("A session's status needs its owner.", nameof(owner));
            }
        }

        var ownerKey = owner?.Key;
        return _database.RunAsync(
            async (connection, ct) =>
            {
                long? sessionKey = null;
                if (sessionId is not null)
                {
                    sessionKey = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                        $"SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;", new { ownerKey = E(ownerKey), sessionId = E(sessionId) }, cancellationToken: ct)).ConfigureAwait(false)
                        ?? throw new SessionNotFoundException(sessionId);
                }

                return await PostgreSqlOutbox.GetStatusAsync(_database, connection, ownerKey, sessionId, sessionKey, ct).ConfigureAwait(false);
            },
            "read the indexing status",
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The session's row is locked first, so summaries of one session are written one at a time across instances; the
    /// plan is then checked against the committed state: a message already trimmed or a summary already superseded makes
    /// it stale (<see langword="null"/>, nothing stored). Message ids that are not in the summary's session are ignored
    /// (and logged). Every covered summary id must be a summary of the same session; otherwise an
    /// <see cref="ArgumentException"/> is thrown and nothing is stored. <see cref="ConversationSummary.CreatedAt"/> is the
    /// store's clock unless set.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The session is soft-deleted.</exception>
    public async Task<ConversationSummary?> AddSummaryAsync(
        MemoryOwner owner, ConversationSummary summary, IReadOnlyList<long> trimmedMessageIds, IReadOnlyList<long> coveredSummaryIds, CancellationToken cancellationToken = default)
    {
        Throw.IfDefault(owner);
        Throw.IfNull(summary);
        Throw.IfNull(trimmedMessageIds);
        Throw.IfNull(coveredSummaryIds);
        var sessionId = Throw.IfNullOrWhitespace(summary.SessionId, "summary.SessionId");
        Throw.IfNullOrWhitespace(summary.Content, "summary.Content");
        PostgreSqlStoreSupport.EnsureStorableText(summary.Content, "summary.Content");
        Throw.IfLessThan(summary.Level, 1, "summary.Level");
        Throw.IfLessThan(summary.TokenCount, 0, "summary.TokenCount");
        if (summary.FirstMessageId > summary.LastMessageId)
        {
            throw new ArgumentException(
                $"FirstMessageId ({summary.FirstMessageId}) is after LastMessageId ({summary.LastMessageId}).", nameof(summary));
        }

        var now = PostgreSqlStoreSupport.Now(_timeProvider);
        var createdAt = summary.CreatedAt == default ? now : PostgreSqlStoreSupport.ToDb(summary.CreatedAt);
        var trimmedIds = trimmedMessageIds.Distinct().ToArray();
        var coveredIds = coveredSummaryIds.Distinct().ToArray();

        var alreadyTrimmedSql = $"SELECT count(*) FROM {_s}.messages WHERE session_key = @key AND is_trimmed AND id = ANY(@ids);";
        var coveredStateSql = $"SELECT id AS Id, superseded_at IS NOT NULL AS Superseded FROM {_s}.summaries WHERE session_key = @key AND id = ANY(@ids);";
        var insertSql = $"""
            INSERT INTO {_s}.summaries (session_key, level, first_message_id, last_message_id, parent_id, content, token_count, created_at, superseded_at)
            VALUES (@key, @Level, @FirstMessageId, @LastMessageId, NULL, @Content, @TokenCount, @createdAt, NULL)
            RETURNING id;
            """;
        var trimSql = $"UPDATE {_s}.messages SET is_trimmed = true WHERE session_key = @key AND NOT is_trimmed AND id = ANY(@ids);";
        var supersedeSql = $"UPDATE {_s}.summaries SET superseded_at = @now, parent_id = @summaryId WHERE session_key = @key AND superseded_at IS NULL AND id = ANY(@ids);";

        var (summaryId, matchedMessages) = await _database.RunInTransactionAsync(
            async (connection, transaction, ct) =>
            {
                var key = await EnsureWritableSessionAsync(connection, transaction, owner, sessionId, ct).ConfigureAwait(false);

                // Under the session's lock nobody else writes summaries of it: what is committed now is what this plan races.
                if (trimmedIds.Length > 0
                    && await connection.ExecuteScalarAsync<long>(new CommandDefinition(alreadyTrimmedSql, new { key, ids = trimmedIds }, transaction, cancellationToken: ct)).ConfigureAwait(false) > 0)
                {
                    return (-1L, 0);
                }

                if (coveredIds.Length > 0)
                {
                    var states = (await connection.QueryAsync<(long Id, bool Superseded)>(new CommandDefinition(
                        coveredStateSql, new { key, ids = coveredIds }, transaction, cancellationToken: ct)).ConfigureAwait(false)).ToList();
                    if (states.Any(s => s.Superseded))
                    {
                        return (-1L, 0);
                    }

                    if (states.Count != coveredIds.Length)
                    {
                        var found = states.Select(s => s.Id).ToHashSet();
                        throw new ArgumentException(
                            $"Summaries {string.Join(", ", coveredIds.Where(c => !found.Contains(c)))} are not active summaries of session '{sessionId}'; nothing was changed.",
                            nameof(coveredSummaryIds));
                    }
                }

                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    insertSql,
                    new { key, summary.Level, summary.FirstMessageId, summary.LastMessageId, Content = E(summary.Content), summary.TokenCount, createdAt },
                    transaction,
                    cancellationToken: ct)).ConfigureAwait(false);
                await PostgreSqlOutbox.EnqueueAsync(
                    _database, connection, transaction, [new PostgreSqlOutbox.OutboxWrite(owner.Key, sessionId, IndexItemKind.Summary, id.ToString(CultureInfo.InvariantCulture))], now, ct).ConfigureAwait(false);
                var matched = trimmedIds.Length == 0 ? 0
                    : await connection.ExecuteAsync(new CommandDefinition(trimSql, new { key, ids = trimmedIds }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (coveredIds.Length > 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition(supersedeSql, new { key, now, summaryId = id, ids = coveredIds }, transaction, cancellationToken: ct)).ConfigureAwait(false);
                }

                return (id, matched);
            },
            "add a summary",
            cancellationToken).ConfigureAwait(false);

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
            CreatedAt = createdAt,
        };
    }

    /// <inheritdoc />
    /// <remarks>Ordered by first covered message, then level (a roll-up after the summaries it starts with), then id.</remarks>
    public Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(MemoryOwner owner, string sessionId, bool activeOnly = true, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        var sql = $"SELECT {SummaryColumns} FROM {_s}.summaries u JOIN {_s}.sessions s ON s.id = u.session_key WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId" +
                  (activeOnly ? " AND u.superseded_at IS NULL" : string.Empty) +
                  " ORDER BY u.first_message_id, u.level, u.id;";
        return _database.RunAsync<IReadOnlyList<ConversationSummary>>(
            async (connection, ct) =>
            {
                var rows = (await connection.QueryAsync<SummaryRow>(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId) }, cancellationToken: ct)).ConfigureAwait(false)).ToList();
                if (rows.Count == 0)
                {
                    await EnsureSessionExistsAsync(connection, null, ownerKey, sessionId, ct).ConfigureAwait(false);
                }

                return rows.Select(r => r.ToSummary()).ToList();
            },
            "read summaries",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ConversationSummary?> GetSummaryAsync(MemoryOwner owner, string sessionId, long summaryId, CancellationToken cancellationToken = default)
    {
        var ownerKey = Throw.IfDefault(owner).Key;
        Throw.IfNullOrWhitespace(sessionId);
        var sql = $"SELECT {SummaryColumns} FROM {_s}.summaries u JOIN {_s}.sessions s ON s.id = u.session_key WHERE s.owner_key = @ownerKey AND s.public_id = @sessionId AND u.id = @summaryId;";
        return _database.RunAsync(
            async (connection, ct) =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<SummaryRow>(new CommandDefinition(sql, new { ownerKey = E(ownerKey), sessionId = E(sessionId), summaryId }, cancellationToken: ct)).ConfigureAwait(false);
                if (row is null)
                {
                    await EnsureSessionExistsAsync(connection, null, ownerKey, sessionId, ct).ConfigureAwait(false);
                }

                return row?.ToSummary();
            },
            "read a summary",
            cancellationToken);
    }

    /// <summary>
    /// Derives a session title from a message: its first non-blank line, trimmed, cut at a word boundary when longer than
    /// <see cref="DerivedTitleMaxLength"/> characters, with an ellipsis when cut (the rule of the SQLite store).
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

        var space = line.LastIndexOf(' ', cut);
        if (space >= DerivedTitleMaxLength * 2 / 3)
        {
            cut = space;
        }

        return line[..cut].TrimEnd() + "\u2026";
    }

    private static string? E(string? value) => PostgreSqlText.Encode(value);

    /// <summary>Locks the owner's session row (waiting for writers of it) and returns its storage key, or <see langword="null"/>.</summary>
    private Task<long?> LockSessionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string ownerKey, string sessionId, CancellationToken cancellationToken)
        => connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT id FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId FOR UPDATE;",
            new { ownerKey = E(ownerKey), sessionId = E(sessionId) },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>Checks that the owner's session exists and is active (locking its row inside a transaction) and returns its storage key.</summary>
    private async Task<long> EnsureWritableSessionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, MemoryOwner owner, string sessionId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long Key, bool IsActive)?>(new CommandDefinition(
            $"SELECT id, is_active FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId" + (transaction is null ? ";" : " FOR UPDATE;"),
            new { ownerKey = E(owner.Key), sessionId = E(sessionId) },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null)
        {
            throw new SessionNotFoundException(sessionId);
        }

        if (!row.Value.IsActive)
        {
            throw new InvalidOperationException(
                $"Session '{sessionId}' is soft-deleted; restore it (SetSessionActiveAsync(owner, sessionId, true), or ChatMemory.RestoreSessionAsync) before adding to it.");
        }

        return row.Value.Key;
    }

    private async Task EnsureSessionExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string ownerKey, string sessionId, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            $"SELECT 1 FROM {_s}.sessions WHERE owner_key = @ownerKey AND public_id = @sessionId;", new { ownerKey = E(ownerKey), sessionId = E(sessionId) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists is null)
        {
            throw new SessionNotFoundException(sessionId);
        }
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

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Added summary {SummaryId} to session {SessionId} (level {Level}, {Trimmed} messages trimmed, {Covered} summaries rolled up).")]
    private static partial void LogSummaryAdded(ILogger logger, long summaryId, string sessionId, int level, int trimmed, int covered);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Summary {SummaryId} of session {SessionId} cited {Count} message ids that are not in that session; they were left unchanged.")]
    private static partial void LogForeignMessagesIgnored(ILogger logger, long summaryId, string sessionId, int count);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Session {SessionId}: a summary plan was stale (another writer reduced first); nothing stored.")]
    private static partial void LogStalePlan(ILogger logger, string sessionId);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Purged an owner's {Sessions} sessions, {Messages} messages and {Summaries} summaries.")]
    private static partial void LogOwnerPurged(ILogger logger, int sessions, int messages, int summaries);

    private sealed class SessionRow
    {
        public string Id { get; set; } = string.Empty;

        public string OwnerKey { get; set; } = string.Empty;

        public string? Title { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime UpdatedAt { get; set; }

        public bool IsActive { get; set; }

        public int MessageCount { get; set; }

        public long TokensUsed { get; set; }

        public string? Metadata { get; set; }

        public ChatSession ToSession() => new()
        {
            Id = PostgreSqlText.DecodeRequired(Id),
            Owner = MemoryOwner.FromKey(PostgreSqlText.DecodeRequired(OwnerKey)),
            Title = PostgreSqlText.Decode(Title),
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            UpdatedAt = PostgreSqlStoreSupport.FromDb(UpdatedAt),
            IsActive = IsActive,
            MessageCount = MessageCount,
            TokensUsed = TokensUsed,
            Metadata = PostgreSqlStoreSupport.DeserializeMetadata(PostgreSqlText.Decode(Metadata)),
        };
    }

    private sealed class MessageRow
    {
        public long Id { get; set; }

        public string SessionId { get; set; } = string.Empty;

        public string OwnerKey { get; set; } = string.Empty;

        public string? ResponseId { get; set; }

        public string Role { get; set; } = string.Empty;

        public string Content { get; set; } = string.Empty;

        public string? ContentsJson { get; set; }

        public string MessageType { get; set; } = "chat";

        public DateTime CreatedAt { get; set; }

        public int TokenCount { get; set; }

        public bool IsTrimmed { get; set; }

        public string IndexState { get; set; } = "pending";

        public int IndexAttempts { get; set; }

        public string? IndexError { get; set; }

        public string? Metadata { get; set; }

        public StoredMessage ToStored() => new()
        {
            Owner = MemoryOwner.FromKey(PostgreSqlText.DecodeRequired(OwnerKey)),
            Id = Id,
            SessionId = PostgreSqlText.DecodeRequired(SessionId),
            ResponseId = PostgreSqlText.Decode(ResponseId),
            Role = new ChatRole(PostgreSqlText.DecodeRequired(Role)),
            Content = PostgreSqlText.DecodeRequired(Content),
            ContentsJson = PostgreSqlText.Decode(ContentsJson),
            MessageType = MessageTypeFromDb(MessageType),
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            TokenCount = TokenCount,
            IsTrimmed = IsTrimmed,
            IndexState = IndexStateFromDb(IndexState),
            IndexAttempts = IndexAttempts,
            IndexError = PostgreSqlText.Decode(IndexError),
            Metadata = PostgreSqlStoreSupport.DeserializeMetadata(PostgreSqlText.Decode(Metadata)),
        };
    }

    private sealed class SummaryRow
    {
        public long Id { get; set; }

        public string SessionId { get; set; } = string.Empty;

        public int Level { get; set; }

        public long FirstMessageId { get; set; }

        public long LastMessageId { get; set; }

        public long? ParentId { get; set; }

        public string Content { get; set; } = string.Empty;

        public int TokenCount { get; set; }

        public DateTime CreatedAt { get; set; }

        public DateTime? SupersededAt { get; set; }

        public ConversationSummary ToSummary() => new()
        {
            Id = Id,
            SessionId = PostgreSqlText.DecodeRequired(SessionId),
            Level = Level,
            FirstMessageId = FirstMessageId,
            LastMessageId = LastMessageId,
            ParentId = ParentId,
            Content = PostgreSqlText.DecodeRequired(Content),
            TokenCount = TokenCount,
            CreatedAt = PostgreSqlStoreSupport.FromDb(CreatedAt),
            SupersededAt = PostgreSqlStoreSupport.FromDb(SupersededAt),
        };
    }

    /// <summary>A validated message ready to insert; its properties are the SQL parameters.</summary>
    private sealed class MessageInsert
    {
        public long SessionKey { get; set; }

        public string SessionId { get; set; } = string.Empty;

        public string? IdempotencyKey { get; init; }

        public MemoryOwner Owner { get; set; }

        public string? ResponseId { get; init; }

        public required string Role { get; init; }

        public required string Content { get; init; }

        public string? ContentsJson { get; init; }

        public required string MessageType { get; init; }

        public DateTimeOffset? CreatedAt { get; set; }

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

            PostgreSqlStoreSupport.EnsureStorableText(message.IdempotencyKey, paramName);
            PostgreSqlStoreSupport.EnsureStorableText(message.Content, paramName);
            PostgreSqlStoreSupport.EnsureStorableText(message.ContentsJson, paramName);
            PostgreSqlStoreSupport.EnsureStorableText(message.ResponseId, paramName);
            PostgreSqlStoreSupport.EnsureStorableText(message.Role.Value, paramName);

            return new MessageInsert
            {
                IdempotencyKey = message.IdempotencyKey,
                ResponseId = message.ResponseId,
                Role = message.Role.Value,
                Content = message.Content,
                ContentsJson = message.ContentsJson,
                MessageType = ToDb(message.MessageType),
                CreatedAt = message.CreatedAt is { } created ? PostgreSqlStoreSupport.ToDb(created) : null,
                TokenCount = message.TokenCount,
                Metadata = PostgreSqlStoreSupport.SerializeMetadata(message.Metadata, paramName),
            };
        }

        public object ToParameters() => new
        {
            SessionKey,
            IdempotencyKey = E(IdempotencyKey),
            ResponseId = E(ResponseId),
            Role = E(Role),
            Content = E(Content),
            ContentsJson = E(ContentsJson),
            MessageType,
            CreatedAt,
            TokenCount,
            Metadata = E(Metadata),
        };

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
            CreatedAt = CreatedAt ?? default,
            TokenCount = TokenCount,
            IsTrimmed = false,
            IndexState = IndexState.Pending,
            Metadata = PostgreSqlStoreSupport.DeserializeMetadata(Metadata),
        };
    }
}
