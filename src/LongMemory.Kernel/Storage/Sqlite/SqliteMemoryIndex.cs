using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// The embedded <see cref="IMemoryIndex"/>: items in a SQLite table, keyword search with FTS5 matching and BM25 over the
/// owner's own statistics, vector search by cosine similarity over float32 BLOBs with SIMD
/// (<see cref="TensorPrimitives"/>), fused by reciprocal rank.
/// </summary>
/// <remarks>
/// <para>
/// Keyword ranking never reads another owner's rows: the document frequencies, document count and average length that
/// choose the query's words and weigh them are kept per (owner, collection) in the same transaction as every write
/// (schema migration 7), so another owner's writes cannot change a user's keyword results, their order or their scores.
/// FTS5's <c>bm25()</c> is not used, because its statistics are table-wide.
/// </para>
/// <para>
/// Vectors are kept in memory per (owner, collection) as one contiguous array of normalised vectors, loaded on the first
/// search of that scope and updated in place by this instance's upserts and deletes, so a search scans memory instead of
/// reading BLOBs. Every write to <c>memory_items</c> (by any process or instance) bumps a change counter of its
/// (owner, collection) in <c>memory_versions</c> through triggers; each search reads the counters of its owner in the
/// same snapshot as its keyword query and reloads a stale scope. Several processes can therefore share one file.
/// (<c>PRAGMA data_version</c> was not used: it is per connection, and the sessions and messages written to the same file
/// every turn would invalidate the whole cache each time.)
/// </para>
/// <para>
/// Memory held: 4 bytes × dimensions per cached vector, plus its keys. Scopes not searched for a while are dropped
/// when more than <see cref="MaxCachedVectors"/> vectors are cached. Timestamps are stored with millisecond precision.
/// </para>
/// </remarks>
public sealed class SqliteMemoryIndex : IMemoryIndex
{
    /// <summary>The number of cached vectors above which the least recently searched scopes are dropped.</summary>
    public const int MaxCachedVectors = 1_000_000;

    private const string ModelIdKey = "embedding_model_id";
    private const string DimensionsKey = "embedding_dimensions";
    private const int MaxIdsPerStatement = 500;
    private const string ItemColumns = "rowid, collection, user_id, item_id, session_id, type, text, vector, created_at, payload";

    private readonly SqliteMemoryDatabase _database;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string UserId, string Collection), VectorSlab> _slabs = new();
    private volatile EmbeddingModel? _model;

    /// <summary>Initializes a new instance of the <see cref="SqliteMemoryIndex"/> class.</summary>
    /// <param name="database">The database (shared with the SQLite stores).</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public SqliteMemoryIndex(SqliteMemoryDatabase database, ILoggerFactory? loggerFactory = null)
    {
        _database = Throw.IfNull(database);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteMemoryIndex>();
    }

    /// <inheritdoc />
    public async Task EnsureEmbeddingModelAsync(string embeddingModelId, int dimensions, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateEmbeddingModel(embeddingModelId, dimensions);
        var known = _model;
        if (known is null)
        {
            await RunAsync(async connection =>
            {
                using var transaction = connection.BeginTransaction();
                known = await ReadModelAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (known is null)
                {
                    using var insert = Command(connection, transaction, "INSERT INTO index_meta(key, value) VALUES ($k1, $v1), ($k2, $v2);");
                    insert.Parameters.AddWithValue("$k1", ModelIdKey);
                    insert.Parameters.AddWithValue("$v1", embeddingModelId);
                    insert.Parameters.AddWithValue("$k2", DimensionsKey);
                    insert.Parameters.AddWithValue("$v2", dimensions.ToString(CultureInfo.InvariantCulture));
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    known = new EmbeddingModel(embeddingModelId, dimensions);
                    _logger.LogInformation("Memory index recorded embedding model {ModelId} ({Dimensions} dimensions).", embeddingModelId, dimensions);
                }

                transaction.Commit();
                return 0;
            }, "record the embedding model", cancellationToken).ConfigureAwait(false);
            _model = known;
        }

        if (!string.Equals(known!.Id, embeddingModelId, StringComparison.Ordinal) || known.Dimensions != dimensions)
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

        var written = new List<(long RowId, MemoryItem Item)>(items.Count);
        var analyses = items.Select(i => KeywordStatistics.Analyze(i.Text)).ToList();
        var versions = await RunAsync(async connection =>
        {
            using var transaction = connection.BeginTransaction();
            var model = await ReadModelAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            MemoryIndexValidation.ValidateVectors(items, model?.Id, model?.Dimensions ?? 0);
            if (model is not null)
            {
                _model = model;
            }

            var scopes = items.Select(i => (i.UserId, i.Collection)).Distinct().ToList();
            var before = await ReadVersionsAsync(connection, transaction, scopes, cancellationToken).ConfigureAwait(false);

            // An insert, and an update only for an item already there: an upsert (ON CONFLICT DO UPDATE) compiles the
            // update triggers into every statement, which tripled its preparation (0.2 ms against 0.05 ms) though most
            // items are new. The update fires the same triggers the upsert's update did.
            using var insert = Command(connection, transaction,
                """
                INSERT INTO memory_items(collection, user_id, item_id, session_id, type, text, vector, created_at, payload)
                VALUES ($collection, $user, $id, $session, $type, $text, $vector, $created, $payload)
                ON CONFLICT (user_id, collection, item_id) DO NOTHING
                RETURNING rowid;
                """);
            // Not prepared until an item conflicts.
            using var update = Command(connection, transaction,
                """
                UPDATE memory_items
                SET session_id = $session, type = $type, text = $text, vector = $vector, created_at = $created, payload = $payload
                WHERE user_id = $user AND collection = $collection AND item_id = $id
                RETURNING rowid;
                """);
            var collection = insert.Parameters.Add("$collection", SqliteType.Text);
            var user = insert.Parameters.Add("$user", SqliteType.Text);
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var session = insert.Parameters.Add("$session", SqliteType.Text);
            var type = insert.Parameters.Add("$type", SqliteType.Text);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            var vector = insert.Parameters.Add("$vector", SqliteType.Blob);
            var created = insert.Parameters.Add("$created", SqliteType.Integer);
            var payload = insert.Parameters.Add("$payload", SqliteType.Text);

            // The keyword statistics of each item (schema migration 7); an unchanged text keeps its rows, since the update
            // trigger drops them only when the text changes.
            using var statistics = Command(connection, transaction,
                """
                INSERT OR IGNORE INTO memory_item_terms(rowid, user_id, collection, length, terms) VALUES ($row, $user, $collection, $length, $terms);
                INSERT OR IGNORE INTO memory_item_lengths(rowid, length) VALUES ($row, $length);
                INSERT OR IGNORE INTO memory_item_repeats(rowid, term, count)
                    SELECT $row, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($repeats);
                """);
            var statisticsRow = statistics.Parameters.Add("$row", SqliteType.Integer);
            var statisticsUser = statistics.Parameters.Add("$user", SqliteType.Text);
            var statisticsCollection = statistics.Parameters.Add("$collection", SqliteType.Text);
            var length = statistics.Parameters.Add("$length", SqliteType.Integer);
            var repeats = statistics.Parameters.Add("$repeats", SqliteType.Text);
            var terms = statistics.Parameters.Add("$terms", SqliteType.Text);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                collection.Value = item.Collection;
                user.Value = item.UserId;
                id.Value = item.Id;
                session.Value = (object?)item.SessionId ?? DBNull.Value;
                type.Value = item.Type;
                text.Value = item.Text;
                vector.Value = item.Vector.IsEmpty ? DBNull.Value : MemoryMarshal.AsBytes(item.Vector.Span).ToArray();
                created.Value = item.CreatedAt.ToUnixTimeMilliseconds();
                payload.Value = (object?)SerializePayload(item.Payload) ?? DBNull.Value;
                var inserted = await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (inserted is null)
                {
                    update.Parameters.Clear();
                    foreach (SqliteParameter parameter in insert.Parameters)
                    {
                        update.Parameters.Add(new SqliteParameter(parameter.ParameterName, parameter.SqliteType) { Value = parameter.Value });
                    }

                    inserted = await update.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                }

                var rowId = (long)inserted!;
                written.Add((rowId, item));

                statisticsRow.Value = rowId;
                statisticsUser.Value = item.UserId;
                statisticsCollection.Value = item.Collection;
                length.Value = analyses[i].Length;
                repeats.Value = (object?)analyses[i].Repeats ?? DBNull.Value;
                terms.Value = analyses[i].Terms;
                await statistics.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var after = await ReadVersionsAsync(connection, transaction, scopes, cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            return (before, after);
        }, "upsert memory items", cancellationToken).ConfigureAwait(false);

        foreach (var group in written.GroupBy(w => (w.Item.UserId, w.Item.Collection)))
        {
            ApplyToCache(group.Key, versions.before[group.Key], versions.after[group.Key], slab =>
            {
                foreach (var (rowId, item) in group)
                {
                    slab.Set(rowId, item.Vector.Span, item.SessionId, item.Type, item.CreatedAt.ToUnixTimeMilliseconds());
                }
            });
        }

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

        return await RunAsync(async connection =>
        {
            var found = new Dictionary<string, MemoryItem>(StringComparer.Ordinal);
            foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(MaxIdsPerStatement))
            {
                using var command = Command(connection, null, string.Empty);
                command.CommandText = $"SELECT {ItemColumns} FROM memory_items WHERE user_id = $user AND collection = $collection AND item_id IN ({InList(command, "$id", batch)});";
                command.Parameters.AddWithValue("$user", userId);
                command.Parameters.AddWithValue("$collection", collection);
                foreach (var (_, item) in await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false))
                {
                    found[item.Id] = item;
                }
            }

            return (IReadOnlyList<MemoryItem>)ids.Distinct(StringComparer.Ordinal).Where(found.ContainsKey).Select(i => found[i]).ToList();
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

        var scope = (userId, collection);
        var (deleted, before, after) = await RunAsync(async connection =>
        {
            using var transaction = connection.BeginTransaction();
            var before = await ReadVersionsAsync(connection, transaction, [scope], cancellationToken).ConfigureAwait(false);
            var deleted = new List<long>();
            foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(MaxIdsPerStatement))
            {
                using var command = Command(connection, transaction, string.Empty);
                command.CommandText = $"DELETE FROM memory_items WHERE user_id = $user AND collection = $collection AND item_id IN ({InList(command, "$id", batch)}) RETURNING rowid;";
                command.Parameters.AddWithValue("$user", userId);
                command.Parameters.AddWithValue("$collection", collection);
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    deleted.Add(reader.GetInt64(0));
                }
            }

            var after = await ReadVersionsAsync(connection, transaction, [scope], cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            return (deleted, before[scope], after[scope]);
        }, "delete memory items", cancellationToken).ConfigureAwait(false);

        ApplyToCache(scope, before, after, slab =>
        {
            foreach (var rowId in deleted)
            {
                slab.Remove(rowId);
            }
        });
        _logger.LogDebug("Deleted {Count} memory items by id.", deleted.Count);
        return deleted.Count;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        var deleted = await RunAsync(async connection =>
        {
            using var command = Command(connection, null, string.Empty);
            command.CommandText = "DELETE FROM memory_items WHERE " + Where(command, filter, string.Empty) + ";";
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, "delete memory items by filter", cancellationToken).ConfigureAwait(false);

        // The change counters moved, so the next search of these scopes reloads them.
        _logger.LogDebug("Deleted {Count} memory items by filter.", deleted);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        return await RunAsync(async connection =>
        {
            using var command = Command(connection, null, string.Empty);
            command.CommandText = "SELECT count(*) FROM memory_items WHERE " + Where(command, filter, string.Empty) + ";";
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, "count memory items", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Items come in insertion order (the row id, which an upsert of an existing item keeps); the cursor is the last row id.</remarks>
    /// <exception cref="ArgumentException"><paramref name="cursor"/> is not a cursor of this index.</exception>
    public async Task<MemoryScrollPage> ScrollAsync(MemoryFilter filter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        MemoryIndexValidation.ValidateScrollLimit(limit);
        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            throw new ArgumentException($"'{cursor}' is not a scroll cursor of the SQLite memory index.", nameof(cursor));
        }

        return await RunAsync(async connection =>
        {
            using var command = Command(connection, null, string.Empty);
            command.CommandText = $"SELECT {ItemColumns} FROM memory_items WHERE {Where(command, filter, string.Empty)} AND rowid > $after ORDER BY rowid LIMIT $limit;";
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$limit", (long)limit + 1);
            var rows = await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false);
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
        return await RunAsync(async connection =>
        {
            // One read snapshot for the change counters, the keyword query and the items.
            using var transaction = connection.BeginTransaction(deferred: true);
            List<long>? keywordRanking = null;
            if (terms.Count > 0)
            {
                keywordRanking = await KeywordSearchAsync(connection, transaction, filter, terms, candidates, cancellationToken).ConfigureAwait(false);
            }

            List<KeyValuePair<long, double>>? vectorRanking = null;
            float[]? normalizedQuery = null;
            List<VectorSlab>? slabs = null;
            if (runVector)
            {
                var model = _model ?? await ReadModelAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                MemoryIndexValidation.ValidateQueryVector(queryVector, model?.Id, model?.Dimensions ?? 0);
                vectorRanking = [];
                if (model is not null)
                {
                    _model = model;
                    normalizedQuery = Normalize(queryVector.Span);
                    slabs = await GetFreshSlabsAsync(connection, transaction, filter, model.Dimensions, cancellationToken).ConfigureAwait(false);
                    vectorRanking = VectorSearch(slabs, normalizedQuery, filter, candidates);
                }
            }

            var fused = ReciprocalRankFusion.Fuse(request, keywordRanking, vectorRanking);
            if (fused.Count == 0)
            {
                return (IReadOnlyList<MemoryHit>)[];
            }

            // NOT INDEXED: with the owner index the planner scans every row of the owner (2 ms at 10k rows) instead of
            // looking up these few by rowid (0.1 ms).
            using var command = Command(connection, transaction, string.Empty);
            command.CommandText = $"SELECT {ItemColumns} FROM memory_items NOT INDEXED WHERE user_id = $user AND rowid IN ({InList(command, "$row", fused.Select(f => (object)f.Key))});";
            command.Parameters.AddWithValue("$user", filter.UserId);
            var items = (await ReadItemsAsync(command, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.RowId, r => r.Item);
            transaction.Commit();

            var hits = new List<MemoryHit>(fused.Count);
            foreach (var rank in fused)
            {
                // A row deleted after the vector cache was read is simply not a hit.
                if (!items.TryGetValue(rank.Key, out var item))
                {
                    continue;
                }

                var similarity = rank.VectorSimilarity;
                if (similarity is null && normalizedQuery is not null && !item.Vector.IsEmpty)
                {
                    similarity = SimilarityOf(slabs!, rank.Key, item, normalizedQuery);
                }

                hits.Add(new MemoryHit(item, rank.Score, rank.KeywordRank, similarity));
            }

            return (IReadOnlyList<MemoryHit>)hits;
        }, "search memory items", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<long>> KeywordSearchAsync(
        SqliteConnection connection, SqliteTransaction transaction, MemoryFilter filter, List<string> terms, int limit, CancellationToken cancellationToken)
    {
        // Every statistic below counts the owner's items in the searched collections only (schema migration 7), never
        // another owner's: the document frequencies of the query's words, the number of documents and their total length.
        var keys = terms.Select(KeywordStatistics.TermKey).ToList();
        var frequencies = new Dictionary<long, long>();
        long documents = 0;
        long tokens = 0;
        using (var statistics = Command(connection, transaction, string.Empty))
        {
            var collections = filter.Collections is { Count: > 0 } selectedCollections
                ? $" AND collection IN ({InList(statistics, "$c", selectedCollections.Distinct(StringComparer.Ordinal))})"
                : string.Empty;
            statistics.CommandText =
                $"""
                SELECT term, sum(documents) FROM memory_term_stats
                WHERE user_id = $user{collections} AND term IN ({InList(statistics, "$t", keys.Distinct())}) GROUP BY term;
                SELECT coalesce(sum(documents), 0), coalesce(sum(tokens), 0) FROM memory_scope_stats WHERE user_id = $user{collections};
                """;
            statistics.Parameters.AddWithValue("$user", filter.UserId);
            using var reader = await statistics.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                frequencies[reader.GetInt64(0)] = reader.GetInt64(1);
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                documents = reader.GetInt64(0);
                tokens = reader.GetInt64(1);
            }
        }

        var keyOf = terms.Zip(keys).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var selected = Fts5Query.SelectTerms(terms, t => frequencies.GetValueOrDefault(keyOf[t]), documents);
        var ranking = new List<long>();
        if (selected.Count == 0 || documents == 0)
        {
            return ranking;
        }

        // FTS5 finds, per selected word, the rows holding it inside the owner's scope tokens; BM25 (FTS5's bm25() formula,
        // k1 1.2, b 0.75) is summed in SQL from the owner's statistics (the IDFs and average length bound as parameters)
        // and each row's length and repeated words, so only the best rows come back. Type and time filters are not in
        // the FTS index: with them, the candidates are joined with memory_items and filtered before ranking. Without
        // them the best rows are re-checked against the whole filter below, so correctness never rests on the scope
        // tokens alone. A row without statistics (written by another tool) ranks as an average row holding the word once.
        using var command = Command(connection, transaction, string.Empty);
        var postFiltered = filter.Types is { Count: > 0 } || filter.From is not null || filter.To is not null;
        var perTerm = new StringBuilder();
        for (var i = 0; i < selected.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            perTerm.Append(i == 0 ? string.Empty : " UNION ALL ")
                .Append(CultureInfo.InvariantCulture, $"SELECT rowid, $k{n} AS term, $i{n} AS idf FROM memory_fts WHERE memory_fts MATCH $m{n}");
            command.Parameters.AddWithValue("$m" + n, Fts5Query.BuildScoped(filter.UserId, filter.Collections, filter.SessionId, [selected[i]]));
            command.Parameters.AddWithValue("$k" + n, keyOf[selected[i]]);
            command.Parameters.AddWithValue("$i" + n, KeywordStatistics.Idf(documents, frequencies.GetValueOrDefault(keyOf[selected[i]])));
        }

        var filtered = postFiltered ? $"JOIN memory_items m ON m.rowid = p.rowid AND {Where(command, filter, "m.")}" : string.Empty;
        var k1 = KeywordStatistics.K1.ToString(CultureInfo.InvariantCulture);
        var b = KeywordStatistics.B.ToString(CultureInfo.InvariantCulture);
        command.CommandText =
            $"""
            SELECT rowid FROM (
                SELECT p.rowid, p.idf, coalesce(r.count, 1) AS f, coalesce(l.length, $avg) AS len
                FROM ({perTerm}) p {filtered}
                LEFT JOIN memory_item_lengths l ON l.rowid = p.rowid
                LEFT JOIN memory_item_repeats r ON r.rowid = p.rowid AND r.term = p.term)
            GROUP BY rowid
            ORDER BY sum(idf * f * ({k1} + 1) / (f + {k1} * (1 - {b} + {b} * len / $avg))) DESC, rowid
            LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$avg", Math.Max(1.0, (double)tokens / documents));
        command.Parameters.AddWithValue("$limit", limit);
        var ordered = new List<long>();
        using (var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ordered.Add(rows.GetInt64(0));
            }
        }

        if (postFiltered)
        {
            return ordered;
        }

        // NOT INDEXED: with the owner index the planner would scan all of the owner's rows instead of looking up these.
        foreach (var best in ordered.Chunk(MaxIdsPerStatement))
        {
            using var check = Command(connection, transaction, string.Empty);
            check.CommandText = $"SELECT rowid FROM memory_items NOT INDEXED WHERE {Where(check, filter, string.Empty)} AND rowid IN ({InList(check, "$row", best)});";
            var kept = new HashSet<long>();
            using var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                kept.Add(reader.GetInt64(0));
            }

            ranking.AddRange(best.Where(kept.Contains));
        }

        return ranking;
    }

    private static List<KeyValuePair<long, double>> VectorSearch(List<VectorSlab> slabs, float[] normalizedQuery, MemoryFilter filter, int limit)
    {
        var topK = new TopK(limit);
        var fromMs = filter.From is { } from ? CeilingMilliseconds(from) : (long?)null;
        var toMs = filter.To is { } to ? CeilingMilliseconds(to) : (long?)null;
        foreach (var slab in slabs)
        {
            lock (slab)
            {
                slab.Scan(normalizedQuery, filter, fromMs, toMs, topK);
            }
        }

        return topK.ToRanking();
    }

    private double? SimilarityOf(List<VectorSlab> slabs, long rowId, MemoryItem item, float[] normalizedQuery)
    {
        if (_slabs.TryGetValue((item.UserId, item.Collection), out var slab) && slabs.Contains(slab))
        {
            lock (slab)
            {
                var similarity = slab.Similarity(rowId, normalizedQuery);
                if (similarity is not null)
                {
                    return similarity;
                }
            }
        }

        return item.Vector.Length == normalizedQuery.Length ? TensorPrimitives.CosineSimilarity(normalizedQuery, item.Vector.Span) : null;
    }

    private async Task<List<VectorSlab>> GetFreshSlabsAsync(
        SqliteConnection connection, SqliteTransaction transaction, MemoryFilter filter, int dimensions, CancellationToken cancellationToken)
    {
        var collections = filter.Collections is { Count: > 0 } selected ? selected.Distinct(StringComparer.Ordinal).ToList() : MemoryCollections.All;
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var command = Command(connection, transaction, "SELECT collection, version FROM memory_versions WHERE user_id = $user;"))
        {
            command.Parameters.AddWithValue("$user", filter.UserId);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var now = Environment.TickCount64;
        var slabs = new List<VectorSlab>(collections.Count);
        var loaded = false;
        foreach (var collection in collections)
        {
            if (!versions.TryGetValue(collection, out var version))
            {
                continue;
            }

            var key = (filter.UserId, collection);
            if (!_slabs.TryGetValue(key, out var slab) || slab.Version < version || slab.Dimensions != dimensions)
            {
                var fresh = await LoadSlabAsync(connection, transaction, filter.UserId, collection, dimensions, version, cancellationToken).ConfigureAwait(false);
                slab = _slabs.AddOrUpdate(key, fresh, (_, existing) => existing.Version >= fresh.Version && existing.Dimensions == dimensions ? existing : fresh);
                loaded = true;
            }

            slab.LastUsed = now;
            slabs.Add(slab);
        }

        if (loaded)
        {
            EvictIfNeeded(slabs);
        }

        return slabs;
    }

    private static async Task<VectorSlab> LoadSlabAsync(
        SqliteConnection connection, SqliteTransaction transaction, string userId, string collection, int dimensions, long version, CancellationToken cancellationToken)
    {
        var slab = new VectorSlab(dimensions, version);
        using var command = Command(connection, transaction,
            "SELECT rowid, session_id, type, created_at, vector FROM memory_items WHERE user_id = $user AND collection = $collection AND vector IS NOT NULL;");
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$collection", collection);
        var buffer = ArrayPool<byte>.Shared.Rent(dimensions * sizeof(float));
        try
        {
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var length = reader.GetBytes(4, 0, null, 0, 0);
                if (length != dimensions * sizeof(float))
                {
                    continue;
                }

                reader.GetBytes(4, 0, buffer, 0, (int)length);
                var vector = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, (int)length));
                slab.Set(reader.GetInt64(0), vector, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetInt64(3));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return slab;
    }

    private void EvictIfNeeded(List<VectorSlab> inUse)
    {
        long total = _slabs.Values.Sum(s => (long)s.Count);
        if (total <= MaxCachedVectors)
        {
            return;
        }

        foreach (var (key, slab) in _slabs.OrderBy(p => p.Value.LastUsed).ToList())
        {
            if (total <= MaxCachedVectors)
            {
                break;
            }

            if (!inUse.Contains(slab) && _slabs.TryRemove(key, out _))
            {
                total -= slab.Count;
            }
        }
    }

    private void ApplyToCache((string UserId, string Collection) key, long before, long after, Action<VectorSlab> apply)
    {
        if (!_slabs.TryGetValue(key, out var slab))
        {
            return;
        }

        lock (slab)
        {
            // Only a slab that was exactly current before this write can be patched; a stale one is reloaded by the next search.
            if (slab.Version == before)
            {
                apply(slab);
                slab.Version = after;
            }
        }
    }

    private static async Task<Dictionary<(string, string), long>> ReadVersionsAsync(
        SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<(string UserId, string Collection)> scopes, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<(string, string), long>();
        using var command = Command(connection, transaction, "SELECT version FROM memory_versions WHERE user_id = $user AND collection = $collection;");
        var user = command.Parameters.Add("$user", SqliteType.Text);
        var collection = command.Parameters.Add("$collection", SqliteType.Text);
        foreach (var scope in scopes)
        {
            user.Value = scope.UserId;
            collection.Value = scope.Collection;
            versions[scope] = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : 0;
        }

        return versions;
    }

    private static async Task<EmbeddingModel?> ReadModelAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT key, value FROM index_meta WHERE key IN ($k1, $k2);");
        command.Parameters.AddWithValue("$k1", ModelIdKey);
        command.Parameters.AddWithValue("$k2", DimensionsKey);
        string? id = null;
        int? dimensions = null;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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

    private static async Task<List<(long RowId, MemoryItem Item)>> ReadItemsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var items = new List<(long, MemoryItem)>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var vector = reader.IsDBNull(7) ? ReadOnlyMemory<float>.Empty : MemoryMarshal.Cast<byte, float>(reader.GetFieldValue<byte[]>(7)).ToArray();
            items.Add((reader.GetInt64(0), new MemoryItem
            {
                Collection = reader.GetString(1),
                UserId = reader.GetString(2),
                Id = reader.GetString(3),
                SessionId = reader.IsDBNull(4) ? null : reader.GetString(4),
                Type = reader.GetString(5),
                Text = reader.GetString(6),
                Vector = vector,
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                Payload = DeserializePayload(reader.IsDBNull(9) ? null : reader.GetString(9)),
            }));
        }

        return items;
    }

    private static string Where(SqliteCommand command, MemoryFilter filter, string alias)
    {
        var sql = new StringBuilder($"{alias}user_id = $f_user");
        command.Parameters.AddWithValue("$f_user", filter.UserId);
        if (filter.SessionId is not null)
        {
            sql.Append($" AND {alias}session_id = $f_session");
            command.Parameters.AddWithValue("$f_session", filter.SessionId);
        }

        if (filter.Collections is { Count: > 0 } collections)
        {
            sql.Append($" AND {alias}collection IN ({InList(command, "$f_collection", collections)})");
        }

        if (filter.Types is { Count: > 0 } types)
        {
            sql.Append($" AND {alias}type IN ({InList(command, "$f_type", types)})");
        }

        if (filter.From is { } from)
        {
            sql.Append($" AND {alias}created_at >= $f_from");
            command.Parameters.AddWithValue("$f_from", CeilingMilliseconds(from));
        }

        if (filter.To is { } to)
        {
            sql.Append($" AND {alias}created_at < $f_to");
            command.Parameters.AddWithValue("$f_to", CeilingMilliseconds(to));
        }

        return sql.ToString();
    }

    private static string InList<T>(SqliteCommand command, string prefix, IEnumerable<T> values)
    {
        var names = new StringBuilder();
        var i = 0;
        foreach (var value in values)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, value);
            names.Append(i++ == 0 ? name : ", " + name);
        }

        return names.ToString();
    }

    // Stored times are whole milliseconds (floored); a bound with a fraction of a millisecond rounds up so that
    // "created_at >= From" and "created_at < To" mean the same as comparing the original times.
    private static long CeilingMilliseconds(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return (ticks / TimeSpan.TicksPerMillisecond) + (ticks % TimeSpan.TicksPerMillisecond > 0 ? 1 : 0);
    }

    private static float[] Normalize(ReadOnlySpan<float> vector)
    {
        var normalized = vector.ToArray();
        var norm = TensorPrimitives.Norm(normalized);
        if (norm > 0)
        {
            TensorPrimitives.Divide(normalized, norm, normalized);
        }

        return normalized;
    }

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
                writer.WriteString(key, value);
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

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation(connection).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw new LongMemoryStoreException($"Could not {what} in the SQLite memory index: {ex.Message}", ex);
        }
    }

    private sealed record EmbeddingModel(string Id, int Dimensions);
}
