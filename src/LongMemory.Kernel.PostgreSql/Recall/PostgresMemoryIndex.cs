using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// The PostgreSQL <see cref="IMemoryIndex"/>: items in one table of the configured schema, keyword search over a
/// generated <c>tsvector</c> column with a GIN index, vector search with pgvector's HNSW index on cosine distance, fused
/// by <see cref="ReciprocalRankFusion"/> exactly as the SQLite and Qdrant indexes fuse.
/// </summary>
/// <remarks>
/// <para>
/// <b>Keyword side.</b> The text search configuration is <c>simple</c> (lower-casing, no stemming, no stop-word list)
/// because the core's keyword search is language-neutral: the SQLite index uses FTS5's <c>unicode61</c> tokenizer,
/// which does not stem either, and conversations mix languages. <c>english</c> would stem ("gardening" would match
/// "garden", which the SQLite index does not) and would silently drop English stop words from documents in other
/// languages. The query is split into words by the same tokenizer as the SQLite index (letters, digits and combining
/// marks; the core's stop words dropped unless nothing else remains), and each word is passed as a parameter to
/// <c>plainto_tsquery('simple', ...)</c>, OR-joined: no character of the user's text is read as query syntax.
/// Ranking is <c>ts_rank(content_tsv, query, 1)</c>: like BM25 it grows with the number of query words matched and
/// saturates with repetitions of one word, and normalisation 1 (divide by 1 + log of the document length) prefers the
/// shorter of two equally matching texts. <c>ts_rank_cd</c> was not chosen: for an OR of single words every occurrence
/// is its own cover, so it degenerates into counting occurrences. <c>ts_rank</c> has no inverse document frequency, so
/// the words are first chosen as the SQLite index chooses them: in a large index the commonest words are dropped while
/// rarer ones exist and at most the eight rarest run, by the lexeme frequencies of the planner's statistics
/// (<c>pg_stats</c>), which also bounds the rows ranked.
/// Diacritics are kept (<c>unicode61 remove_diacritics 2</c> folds them in SQLite): "café" does not match "cafe".
/// </para>
/// <para>
/// <b>Vector side.</b> The <c>embedding</c> column is <c>vector(n)</c> with an HNSW index (<c>vector_cosine_ops</c>);
/// <c>n</c> is set, and the index built, when <see cref="EnsureEmbeddingModelAsync"/> first records the model (above
/// 2,000 dimensions, pgvector's HNSW limit, searches scan exactly instead). Each search sets <c>hnsw.ef_search</c> to the
/// candidate count (40 to 1,000) and, with pgvector 0.8 or later, <c>hnsw.iterative_scan = strict_order</c>, so the
/// owner and scope filters do not starve the approximate search of candidates.
/// </para>
/// <para>
/// Every statement filters on the owner key (<c>owner_key = $user</c>); upserts are <c>INSERT ... ON CONFLICT
/// (owner_key, collection, item_id) DO UPDATE</c>, sent as one batch in one transaction, so a batch is stored entirely
/// or not at all. Scroll pages are ordered by the row's identity (kept by an upsert), which is the cursor. Times are
/// stored with microsecond precision. PostgreSQL text cannot hold NUL characters: they are removed from an item's
/// text and payload (the index is derived data; the message store keeps the original).
/// </para>
/// </remarks>
public sealed class PostgresMemoryIndex : IMemoryIndex, IAsyncDisposable, IDisposable
{
    private const string ModelIdKey = "embedding_model_id";
    private const string DimensionsKey = "embedding_dimensions";

    /// <summary>pgvector's largest HNSW-indexable <c>vector</c> dimension.</summary>
    private const int MaxHnswDimensions = 2000;

    /// <summary>How long the lexeme statistics of the planner are reused before they are read again.</summary>
    private const long TermStatisticsLifetimeMs = 60_000;

    private const string ItemColumns = "row_id, collection, owner_key, item_id, session_id, item_type, content, embedding, created_at, payload";

    private readonly PostgreSqlMemoryDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly ILogger _logger;
    private readonly string _items;
    private readonly string _meta;
    private volatile EmbeddingModel? _model;
    private volatile TermStatistics? _termStatistics;

    /// <summary>Initializes a new instance of the <see cref="PostgresMemoryIndex"/> class on a shared database.</summary>
    /// <param name="database">The database (shared with the PostgreSQL stores; not disposed by the index).</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public PostgresMemoryIndex(PostgreSqlMemoryDatabase database, ILoggerFactory? loggerFactory = null)
        : this(Throw.IfNull(database), ownsDatabase: false, loggerFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PostgresMemoryIndex"/> class with its own database (and pool).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public PostgresMemoryIndex(PostgreSqlMemoryOptions options, ILoggerFactory? loggerFactory = null)
        : this(new PostgreSqlMemoryDatabase(Throw.IfNull(options), loggerFactory), ownsDatabase: true, loggerFactory)
    {
    }

    private PostgresMemoryIndex(PostgreSqlMemoryDatabase database, bool ownsDatabase, ILoggerFactory? loggerFactory)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresMemoryIndex>();
        _items = database.QuotedSchema + ".memory_items";
        _meta = database.QuotedSchema + ".index_meta";
    }

    /// <summary>Gets the database the index uses.</summary>
    public PostgreSqlMemoryDatabase Database => _database;

    /// <inheritdoc />
    /// <remarks>
    /// The first call on an empty schema records the model and sets the embedding column to <c>vector(dimensions)</c>
    /// with its HNSW index, under the schema's advisory lock, so two instances starting together record it once.
    /// </remarks>
    public async Task EnsureEmbeddingModelAsync(string embeddingModelId, int dimensions, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateEmbeddingModel(embeddingModelId, dimensions);
        var known = _model;
        if (known is null)
        {
            known = await _database.RunInTransactionAsync(async (connection, transaction, ct) =>
            {
                await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, hashtext($2));", ct,
                    PostgreSqlMemoryDatabase.AdvisoryLockClass, "embedding-model:" + _database.Schema).ConfigureAwait(false);
                var recorded = await ReadModelAsync(connection, transaction, ct).ConfigureAwait(false);
                if (recorded is not null)
                {
                    return recorded;
                }

                await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, $"INSERT INTO {_meta}(key, value) VALUES ($1, $2), ($3, $4);", ct,
                    ModelIdKey, embeddingModelId, DimensionsKey, dimensions.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                var dimension = dimensions.ToString(CultureInfo.InvariantCulture);
                await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, $"ALTER TABLE {_items} ALTER COLUMN embedding TYPE vector({dimension});", ct).ConfigureAwait(false);
                if (dimensions <= MaxHnswDimensions)
                {
                    await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction,
                        $"CREATE INDEX IF NOT EXISTS memory_items_embedding_hnsw ON {_items} USING hnsw (embedding vector_cosine_ops);", ct).ConfigureAwait(false);
                }
                else
                {
                    _logger.LogWarning("Embedding dimension {Dimensions} is above pgvector's HNSW limit ({Limit}): vector searches scan exactly.", dimensions, MaxHnswDimensions);
                }

                _logger.LogInformation("Memory index recorded embedding model {ModelId} ({Dimensions} dimensions).", embeddingModelId, dimensions);
                return new EmbeddingModel(embeddingModelId, dimensions);
            }, "record the embedding model", cancellationToken).ConfigureAwait(false);
            _model = known;
        }

        if (!string.Equals(known.Id, embeddingModelId, StringComparison.Ordinal) || known.Dimensions != dimensions)
        {
            throw new EmbeddingModelMismatchException(known.Id, known.Dimensions, embeddingModelId, dimensions);
        }
    }

    /// <inheritdoc />
    public async Task UpsertAsync(IReadOnlyList<MemoryItem> items, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateItems(items);
        if (items.Count == 0)
        {
            return;
        }

        await _database.RunAsync(async (connection, ct) =>
        {
            // A recorded model is never changed, so a cached one needs no read.
            var model = _model;
            if (model is null && items.Any(i => !i.Vector.IsEmpty))
            {
                model = await ReadModelAsync(connection, null, ct).ConfigureAwait(false);
                _model = model;
            }

            MemoryIndexValidation.ValidateVectors(items, model?.Id, model?.Dimensions ?? 0);
            var sql =
                $"""
                INSERT INTO {_items} (owner_key, collection, item_id, session_id, item_type, content, embedding, created_at, payload)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (owner_key, collection, item_id) DO UPDATE SET
                    session_id = excluded.session_id, item_type = excluded.item_type, content = excluded.content,
                    embedding = excluded.embedding, created_at = excluded.created_at, payload = excluded.payload;
                """;
            // One batch, one round trip: PostgreSQL runs the statements before the batch's single Sync as one implicit
            // transaction, so the batch is stored entirely or not at all.
            await using var batch = new NpgsqlBatch(connection);
            foreach (var item in items)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.UserId });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Collection });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Id });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)item.SessionId ?? DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Type });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = WithoutNul(item.Text) });
                command.Parameters.Add(new NpgsqlParameter { DataTypeName = "vector", Value = item.Vector.IsEmpty ? DBNull.Value : new Vector(item.Vector) });
                command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = item.CreatedAt.UtcDateTime });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)SerializePayload(item.Payload) ?? DBNull.Value });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return 0;
        }, "upsert memory items", cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Upserted {Count} memory items.", items.Count);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryItem>> GetAsync(string userId, string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhitespace(userId);
        MemoryCollections.Validate(collection);
        Throw.IfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).ToArray();
        return await _database.RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT {ItemColumns} FROM {_items} WHERE owner_key = $1 AND collection = $2 AND item_id = ANY($3);", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = collection });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = distinct });
            var found = (await ReadItemsAsync(command, ct).ConfigureAwait(false)).ToDictionary(r => r.Item.Id, r => r.Item, StringComparer.Ordinal);
            return (IReadOnlyList<MemoryItem>)distinct.Where(found.ContainsKey).Select(i => found[i]).ToList();
        }, "get memory items", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> DeleteAsync(string userId, string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhitespace(userId);
        MemoryCollections.Validate(collection);
        Throw.IfNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        var distinct = ids.Distinct(StringComparer.Ordinal).ToArray();
        var deleted = await _database.RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"DELETE FROM {_items} WHERE owner_key = $1 AND collection = $2 AND item_id = ANY($3);", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = collection });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = distinct });
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, "delete memory items", cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Deleted {Count} memory items by id.", deleted);
        return deleted;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        var deleted = await _database.RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(string.Empty, connection);
            command.CommandText = $"DELETE FROM {_items} WHERE {Where(command, filter)};";
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, "delete memory items by filter", cancellationToken).ConfigureAwait(false);
        _logger.LogDebug("Deleted {Count} memory items by filter.", deleted);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        return await _database.RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(string.Empty, connection);
            command.CommandText = $"SELECT count(*) FROM {_items} WHERE {Where(command, filter)};";
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, "count memory items", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Items come in insertion order (the row identity, which an upsert of an existing item keeps); the cursor is the last row identity.</remarks>
    /// <exception cref="ArgumentException"><paramref name="cursor"/> is not a cursor of this index.</exception>
    public async Task<MemoryScrollPage> ScrollAsync(MemoryFilter filter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        MemoryIndexValidation.ValidateScrollLimit(limit);
        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            throw new ArgumentException($"'{cursor}' is not a scroll cursor of the PostgreSQL memory index.", nameof(cursor));
        }

        return await _database.RunAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(string.Empty, connection);
            command.CommandText = $"SELECT {ItemColumns} FROM {_items} WHERE {Where(command, filter)} AND row_id > @after ORDER BY row_id LIMIT @limit;";
            command.Parameters.Add(new NpgsqlParameter<long>("after", after));
            command.Parameters.Add(new NpgsqlParameter<long>("limit", (long)limit + 1));
            var rows = await ReadItemsAsync(command, ct).ConfigureAwait(false);
            var hasMore = rows.Count > limit;
            var page = rows.Take(limit).ToList();
            return new MemoryScrollPage(page.Select(r => r.Item).ToList(), hasMore ? page[^1].RowId.ToString(CultureInfo.InvariantCulture) : null);
        }, "scroll memory items", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateSearch(request);
        var filter = request.Filter;
        var terms = request.KeywordWeight > 0 ? Fts5Query.Terms(request.QueryText) : [];
        var queryVector = request.QueryVector;
        var runVector = request.VectorWeight > 0 && !queryVector.IsEmpty;
        MemoryIndexValidation.ValidateQueryVector(queryVector, _model?.Id, _model?.Dimensions ?? 0);
        if (terms.Count == 0 && !runVector)
        {
            return [];
        }

        var candidates = ReciprocalRankFusion.CandidateCount(request);
        return await _database.RunInTransactionAsync(async (connection, transaction, ct) =>
        {
            List<long>? keywordRanking = null;
            if (terms.Count > 0)
            {
                keywordRanking = await KeywordSearchAsync(connection, transaction, filter, terms, candidates, ct).ConfigureAwait(false);
            }

            List<KeyValuePair<long, double>>? vectorRanking = null;
            Vector? query = null;
            if (runVector)
            {
                var model = _model ?? await ReadModelAsync(connection, transaction, ct).ConfigureAwait(false);
                MemoryIndexValidation.ValidateQueryVector(queryVector, model?.Id, model?.Dimensions ?? 0);
                vectorRanking = [];
                if (model is not null)
                {
                    _model = model;
                    query = new Vector(queryVector);
                    vectorRanking = await VectorSearchAsync(connection, transaction, filter, query, candidates, ct).ConfigureAwait(false);
                }
            }

            var fused = ReciprocalRankFusion.Fuse(request, keywordRanking, vectorRanking);
            if (fused.Count == 0)
            {
                return (IReadOnlyList<MemoryHit>)[];
            }

            // The items of the fused candidates, with the similarity of those the vector ranking did not return.
            await using var command = new NpgsqlCommand(
                $"""
                SELECT {ItemColumns}, CASE WHEN $3::vector IS NULL OR embedding IS NULL THEN NULL ELSE 1 - (embedding <=> $3::vector) END
                FROM {_items} WHERE owner_key = $1 AND row_id = ANY($2);
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = filter.UserId });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = fused.Select(f => f.Key).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { DataTypeName = "vector", Value = (object?)query ?? DBNull.Value });
            var items = (await ReadItemsAsync(command, ct, withSimilarity: true).ConfigureAwait(false)).ToDictionary(r => r.RowId);

            var hits = new List<MemoryHit>(fused.Count);
            foreach (var rank in fused)
            {
                // A row deleted between the rankings and this read is simply not a hit.
                if (items.TryGetValue(rank.Key, out var row))
                {
                    hits.Add(new MemoryHit(row.Item, rank.Score, rank.KeywordRank, rank.VectorSimilarity ?? row.Similarity));
                }
            }

            return (IReadOnlyList<MemoryHit>)hits;
        }, "search memory items", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDatabase)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private async Task<List<long>> KeywordSearchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryFilter filter, List<string> terms, int limit, CancellationToken cancellationToken)
    {
        terms = await SelectTermsAsync(connection, transaction, terms, cancellationToken).ConfigureAwait(false);
        if (terms.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(string.Empty, connection, transaction);
        var query = new StringBuilder();
        for (var i = 0; i < terms.Count; i++)
        {
            var name = "t" + i.ToString(CultureInfo.InvariantCulture);
            query.Append(i == 0 ? string.Empty : " || ").Append("plainto_tsquery('simple'::regconfig, @").Append(name).Append(')');
            command.Parameters.Add(new NpgsqlParameter<string>(name, terms[i]));
        }

        command.CommandText =
            $"""
            SELECT m.row_id FROM {_items} m, (SELECT {query} AS query) q
            WHERE {Where(command, filter, "m.")} AND m.content_tsv @@ q.query
            ORDER BY ts_rank(m.content_tsv, q.query, 1) DESC, m.row_id
            LIMIT @limit;
            """;
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var ranking = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ranking.Add(reader.GetInt64(0));
        }

        return ranking;
    }

    /// <summary>
    /// Keeps the selective query words, as the SQLite index does (<see cref="Fts5Query.SelectTerms"/>): in a large index
    /// the commonest words are dropped while rarer ones exist, and at most the rarest few run, so the ranking reads a
    /// bounded number of rows and rare words decide the order (the inverse document frequency that <c>ts_rank</c>
    /// lacks). Word frequencies come from the planner's statistics of the tsvector column (<c>pg_stats</c>: the most
    /// common lexemes and their shares, gathered by ANALYZE/autovacuum), so choosing costs no scan; a word not among
    /// them counts as rare. Before the first ANALYZE every word runs (at most <see cref="Fts5Query.MaxSelectedTerms"/>).
    /// </summary>
    private async Task<List<string>> SelectTermsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> terms, CancellationToken cancellationToken)
    {
        var statistics = await GetTermStatisticsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (statistics is null)
        {
            return terms.Count > Fts5Query.MaxSelectedTerms ? terms.GetRange(0, Fts5Query.MaxSelectedTerms) : terms;
        }

        return Fts5Query.SelectTerms(
            terms, t => statistics.Shares.TryGetValue(t, out var share) ? Math.Max(1, (long)Math.Round(share * statistics.Documents)) : 1, statistics.Documents);
    }

    private async Task<TermStatistics?> GetTermStatisticsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var cached = _termStatistics;
        var now = Environment.TickCount64;
        if (cached is not null && now - cached.ReadAt < TermStatisticsLifetimeMs)
        {
            return cached.Documents > 0 ? cached : null;
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'content_tsv'
            WHERE n.nspname = $1 AND c.relname = 'memory_items';
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _database.Schema });
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        long documents = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) && !reader.IsDBNull(1))
            {
                var lexemes = reader.GetFieldValue<string[]>(0);
                var frequencies = reader.GetFieldValue<float[]>(1);
                for (var i = 0; i < lexemes.Length && i < frequencies.Length; i++)
                {
                    shares[lexemes[i]] = frequencies[i];
                }

                documents = Math.Max(0, reader.GetInt64(2));
            }
        }

        var statistics = new TermStatistics(shares, documents, now);
        _termStatistics = statistics;
        return documents > 0 ? statistics : null;
    }

    private async Task<List<KeyValuePair<long, double>>> VectorSearchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, MemoryFilter filter, Vector query, int limit, CancellationToken cancellationToken)
    {
        // Search breadth for this transaction only: at least the candidates asked for, within pgvector's 1..1000.
        var efSearch = Math.Clamp(limit, 40, 1000).ToString(CultureInfo.InvariantCulture);
        var settings = _database.SupportsIterativeScan
            ? "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true);"
            : "SELECT set_config('hnsw.ef_search', $1, true);";
        await PostgreSqlMemoryDatabase.ExecuteAsync(connection, transaction, settings, cancellationToken, efSearch).ConfigureAwait(false);

        await using var command = new NpgsqlCommand(string.Empty, connection, transaction);
        command.CommandText =
            $"""
            SELECT row_id, 1 - (embedding <=> @query) FROM {_items}
            WHERE {Where(command, filter)} AND embedding IS NOT NULL
            ORDER BY embedding <=> @query
            LIMIT @limit;
            """;
        command.Parameters.Add(new NpgsqlParameter("query", query) { DataTypeName = "vector" });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var ranking = new List<KeyValuePair<long, double>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ranking.Add(new KeyValuePair<long, double>(reader.GetInt64(0), reader.IsDBNull(1) ? 0 : reader.GetDouble(1)));
        }

        return ranking;
    }

    private async Task<EmbeddingModel?> ReadModelAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT key, value FROM {_meta} WHERE key = ANY($1);", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [ModelIdKey, DimensionsKey] });
        string? id = null;
        int? dimensions = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetString(0) == ModelIdKey)
            {
                id = reader.GetString(1);
            }
            else
            {
                dimensions = int.Parse(reader.GetString(1), NumberStyles.Integer, CultureInfo.InvariantCulture);
            }
        }

        return id is not null && dimensions is not null ? new EmbeddingModel(id, dimensions.Value) : null;
    }

    private static async Task<List<(long RowId, MemoryItem Item, double? Similarity)>> ReadItemsAsync(
        NpgsqlCommand command, CancellationToken cancellationToken, bool withSimilarity = false)
    {
        var items = new List<(long, MemoryItem, double?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var vector = reader.IsDBNull(7) ? ReadOnlyMemory<float>.Empty : reader.GetFieldValue<Vector>(7).Memory;
            var item = new MemoryItem
            {
                Collection = reader.GetString(1),
                UserId = reader.GetString(2),
                Id = reader.GetString(3),
                SessionId = reader.IsDBNull(4) ? null : reader.GetString(4),
                Type = reader.GetString(5),
                Text = reader.GetString(6),
                Vector = vector,
                CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(8), DateTimeKind.Utc)),
                Payload = DeserializePayload(reader.IsDBNull(9) ? null : reader.GetString(9)),
            };
            double? similarity = withSimilarity && !reader.IsDBNull(10) ? reader.GetDouble(10) : null;
            items.Add((reader.GetInt64(0), item, similarity));
        }

        return items;
    }

    private static string Where(NpgsqlCommand command, MemoryFilter filter, string alias = "")
    {
        var sql = new StringBuilder($"{alias}owner_key = @f_user");
        command.Parameters.Add(new NpgsqlParameter<string>("f_user", filter.UserId));
        if (filter.SessionId is not null)
        {
            sql.Append($" AND {alias}session_id = @f_session");
            command.Parameters.Add(new NpgsqlParameter<string>("f_session", filter.SessionId));
        }

        if (filter.Collections is { Count: > 0 } collections)
        {
            sql.Append($" AND {alias}collection = ANY(@f_collections)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("f_collections", collections.Distinct(StringComparer.Ordinal).ToArray()));
        }

        if (filter.Types is { Count: > 0 } types)
        {
            sql.Append($" AND {alias}item_type = ANY(@f_types)");
            command.Parameters.Add(new NpgsqlParameter<string[]>("f_types", types.Distinct(StringComparer.Ordinal).ToArray()));
        }

        if (filter.From is { } from)
        {
            sql.Append($" AND {alias}created_at >= @f_from");
            command.Parameters.Add(new NpgsqlParameter<DateTime>("f_from", CeilingMicroseconds(from)));
        }

        if (filter.To is { } to)
        {
            sql.Append($" AND {alias}created_at < @f_to");
            command.Parameters.Add(new NpgsqlParameter<DateTime>("f_to", CeilingMicroseconds(to)));
        }

        return sql.ToString();
    }

    // Stored times are whole microseconds (PostgreSQL truncates); a bound with a fraction of a microsecond rounds up so
    // that "created_at >= From" and "created_at < To" mean the same as comparing the original times.
    private static DateTime CeilingMicroseconds(DateTimeOffset value)
    {
        const long TicksPerMicrosecond = 10;
        var ticks = value.UtcTicks;
        var rest = ticks % TicksPerMicrosecond;
        return new DateTime(rest == 0 ? ticks : ticks + (TicksPerMicrosecond - rest), DateTimeKind.Utc);
    }

    private static string WithoutNul(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace("\0", string.Empty, StringComparison.Ordinal) : text;

    private static string? SerializePayload(IReadOnlyDictionary<string, string>? payload)
    {
        if (payload is null || payload.Count == 0)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in payload)
            {
                writer.WriteString(WithoutNul(key), WithoutNul(value));
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, string> DeserializePayload(string? json)
    {
        var payload = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return payload;
        }

        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            payload[property.Name] = property.Value.GetString() ?? string.Empty;
        }

        return payload;
    }

    private sealed record EmbeddingModel(string Id, int Dimensions);

    private sealed record TermStatistics(Dictionary<string, double> Shares, long Documents, long ReadAt);
}
