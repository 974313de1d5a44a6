using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using LongMemory.Kernel.Qdrant.Http;
using LongMemory.Kernel.Qdrant.Points;
using LongMemory.Kernel.Qdrant.Sparse;
using LongMemory.Kernel.Qdrant.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel.Qdrant;

/// <summary>
/// An <see cref="IMemoryIndex"/> over Qdrant's REST API: one collection per memory kind, a named dense vector
/// (<c>dense</c>) and a BM25 sparse vector (<c>bm25</c>, IDF applied by the server), tenants partitioned by the
/// <c>user_id</c> payload field.
/// </summary>
/// <remarks>
/// <para>
/// Collections are created on first write (or by <see cref="EnsureEmbeddingModelAsync"/>) with payload indexes on
/// <c>user_id</c> (keyword, <c>is_tenant</c>), <c>session_id</c>, <c>collection</c>, <c>type</c> (keyword) and
/// <c>created_at</c> (datetime). Reads of a collection that does not exist yet return nothing.
/// </para>
/// <para>
/// Point ids are version-5 UUIDs of (owner, item id), so an upsert of the same item replaces its point; the item id
/// is kept in the payload. The embedding model and dimension are recorded in each collection's metadata.
/// </para>
/// <para>
/// Search sends the dense and the BM25 ranking of each collection as one <c>/points/query/batch</c> request and fuses
/// them on the client with weighted reciprocal-rank fusion, <c>Σ w / (k + rank)</c> divided by its maximum. Qdrant's
/// own RRF (<c>Σ 1 / ((rank) / w + k − 1)</c>) weighs differently and hides the two rankings, so it could give neither
/// the library's normalised score nor <see cref="MemoryHit.KeywordRank"/> and <see cref="MemoryHit.VectorSimilarity"/>;
/// fusing on the client also merges rankings across collections. Keyword candidates come back with their dense vector
/// so their cosine similarity is known too.
/// </para>
/// <para>
/// Scroll pages run collection by collection, each in Qdrant's point-id order (the point id is derived from the item
/// id); the cursor is <c>{collection index}:{next point id}</c>.
/// </para>
/// </remarks>
public sealed partial class QdrantMemoryIndex : IMemoryIndex
{
    private const int SchemaVersion = 1;
    private const string DenseVector = "dense";
    private const string SparseVector = "bm25";
    private const string ServerEncoding = "qdrant/bm25";
    private const string ClientEncoding = "client-bm25-fnv1a";
    private const string UnrecordedModel = "(not recorded)";

    private static readonly Version FirstServerWithBm25 = new(1, 15, 2);
    private static readonly string[] DenseOnly = [DenseVector];

    private readonly QdrantMemoryIndexOptions _options;
    private readonly QdrantRestClient _client;
    private readonly ILogger _logger;
    private readonly Bm25SparseEncoder _encoder;
    private readonly ConcurrentDictionary<string, CollectionState> _collections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bootstrapLock = new(1, 1);
    private string? _serverEncoding;
    private (string Model, int Dimensions)? _embedding;

    /// <summary>Initializes a new instance of the <see cref="QdrantMemoryIndex"/> class.</summary>
    /// <param name="httpClient">The HTTP client (its base address is not used: requests go to <see cref="QdrantMemoryIndexOptions.Endpoint"/>).</param>
    /// <param name="options">The options; copied and validated.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock of retry back-off delays.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public QdrantMemoryIndex(HttpClient httpClient, QdrantMemoryIndexOptions options, ILogger<QdrantMemoryIndex>? logger = null, TimeProvider? timeProvider = null)
    {
        Throw.IfNull(httpClient);
        _options = Throw.IfNull(options).Clone();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _client = new QdrantRestClient(httpClient, _options, _logger, timeProvider ?? TimeProvider.System);
        _encoder = new Bm25SparseEncoder(_options.Bm25K1, _options.Bm25B, _options.Bm25AverageLength);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The model id and dimension are recorded in the metadata of all four collections. A collection created before
    /// a model was known (keyword-only items) gets its <c>dense</c> vector added here
    /// (<c>PUT /collections/{name}/vectors/dense</c>, Qdrant 1.19); on older servers set
    /// <see cref="QdrantMemoryIndexOptions.VectorSize"/> so collections are created with it.
    /// </remarks>
    public async Task EnsureEmbeddingModelAsync(string embeddingModelId, int dimensions, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateEmbeddingModel(embeddingModelId, dimensions);
        if (_options.VectorSize is { } configured && configured != dimensions)
        {
            throw new EmbeddingModelMismatchException("(configured VectorSize)", configured, embeddingModelId, dimensions);
        }

        foreach (var collection in MemoryCollections.All)
        {
            var state = (await GetStateAsync(collection, create: true, dimensions, embeddingModelId, cancellationToken).ConfigureAwait(false))!;
            if (state.EmbeddingModel is not null)
            {
                if (!string.Equals(state.EmbeddingModel, embeddingModelId, StringComparison.Ordinal) || state.DenseSize != dimensions)
                {
                    throw new EmbeddingModelMismatchException(state.EmbeddingModel, state.DenseSize ?? 0, embeddingModelId, dimensions);
                }

                continue;
            }

            if (state.DenseSize is null)
            {
                var vector = new CreateVectorNameRequest { Dense = new VectorParamsDto { Size = dimensions, Distance = _options.Distance } };
                await _client.SendAsync(HttpMethod.Put, $"collections/{Escape(state.Name)}/vectors/{DenseVector}?wait=true", vector,
                    QdrantJsonContext.Default.CreateVectorNameRequest, QdrantJsonContext.Default.QdrantResponseUpdateResultDto, cancellationToken).ConfigureAwait(false);
            }
            else if (state.DenseSize != dimensions)
            {
                throw new EmbeddingModelMismatchException(UnrecordedModel, state.DenseSize.Value, embeddingModelId, dimensions);
            }

            var update = new UpdateCollectionRequest
            {
                Metadata = new CollectionMetadataDto { EmbeddingModel = embeddingModelId, EmbeddingDimensions = dimensions },
            };
            await _client.SendAsync(HttpMethod.Patch, $"collections/{Escape(state.Name)}", update, QdrantJsonContext.Default.UpdateCollectionRequest,
                QdrantJsonContext.Default.QdrantResponseBoolean, cancellationToken).ConfigureAwait(false);
            _collections[collection] = state with { EmbeddingModel = embeddingModelId, DenseSize = dimensions };
        }

        _embedding = (embeddingModelId, dimensions);
        LogEmbeddingModel(_logger, embeddingModelId, dimensions);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">An item has a vector but no embedding model is recorded yet.</exception>
    public async Task UpsertAsync(IReadOnlyList<MemoryItem> items, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateItems(items);

        // Check every item against its collection before writing any, so a refused batch stores nothing.
        var groups = new List<(CollectionState State, MemoryItem[] Items)>();
        foreach (var group in items.GroupBy(i => i.Collection, StringComparer.Ordinal))
        {
            var state = (await GetStateAsync(group.Key, create: true, null, null, cancellationToken).ConfigureAwait(false))!;
            var groupItems = group.ToArray();
            MemoryIndexValidation.ValidateVectors(groupItems, state.EmbeddingModel, state.DenseSize ?? 0);
            groups.Add((state, groupItems));
        }

        foreach (var (state, groupItems) in groups)
        {
            foreach (var batch in groupItems.Chunk(_options.BatchSize))
            {
                var request = new PointsListRequest { Points = batch.Select(i => ToPoint(i, state)).ToList() };
                await _client.SendAsync(HttpMethod.Put, $"collections/{Escape(state.Name)}/points?wait=true", request,
                    QdrantJsonContext.Default.PointsListRequest, QdrantJsonContext.Default.QdrantResponseUpdateResultDto, cancellationToken).ConfigureAwait(false);
                LogUpserted(_logger, batch.Length, state.Name);
            }
        }
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

        var records = await RetrieveAsync(userId, collection, ids, withVector: true, cancellationToken).ConfigureAwait(false);
        var byId = records.ToDictionary(r => r.Payload!.ItemId!, StringComparer.Ordinal);
        var found = new List<MemoryItem>(byId.Count);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (id is not null && byId.TryGetValue(id, out var record))
            {
                found.Add(ToItem(record.Payload!, record.Vector?.Dense, collection));
            }
        }

        return found;
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

        // Look the points up first: the count is exact, and only points whose payload names the owner are deleted.
        var owned = await RetrieveAsync(userId, collection, ids, withVector: false, cancellationToken).ConfigureAwait(false);
        if (owned.Count == 0)
        {
            return 0;
        }

        var filter = new FilterDto
        {
            Must =
            [
                new ConditionDto { HasId = owned.Select(r => r.Id.GetString()!).ToArray() },
                new ConditionDto { Key = "user_id", Match = new MatchDto { Value = userId } },
            ],
        };
        await DeleteByFilterAsync(_options.CollectionName(collection), filter, cancellationToken).ConfigureAwait(false);
        LogDeleted(_logger, owned.Count, collection);
        return owned.Count;
    }

    /// <inheritdoc />
    public async Task DeleteAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        var qdrantFilter = ToFilter(filter);
        foreach (var collection in CollectionsOf(filter))
        {
            await DeleteByFilterAsync(_options.CollectionName(collection), qdrantFilter, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        var request = new CountRequest { Filter = ToFilter(filter), Exact = true };
        long total = 0;
        foreach (var collection in CollectionsOf(filter))
        {
            var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(_options.CollectionName(collection))}/points/count", request,
                QdrantJsonContext.Default.CountRequest, QdrantJsonContext.Default.QdrantResponseCountResultDto, cancellationToken)).ConfigureAwait(false);
            total += response?.Result?.Count ?? 0;
        }

        return total;
    }

    /// <inheritdoc />
    public async Task<MemoryScrollPage> ScrollAsync(MemoryFilter filter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateFilter(filter);
        MemoryIndexValidation.ValidateScrollLimit(limit);
        var collections = CollectionsOf(filter);
        var (index, offset) = ParseCursor(cursor, collections.Count);
        var qdrantFilter = ToFilter(filter);
        var items = new List<MemoryItem>(Math.Min(limit, 1000));
        while (index < collections.Count)
        {
            var collection = collections[index];
            var state = await GetStateAsync(collection, create: false, null, null, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                index++;
                offset = null;
                continue;
            }

            var request = new ScrollRequest
            {
                Filter = qdrantFilter,
                Limit = limit - items.Count,
                Offset = offset,
                WithPayload = true,
                WithVector = state.DenseSize is null ? null : DenseOnly,
            };
            var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(_options.CollectionName(collection))}/points/scroll", request,
                QdrantJsonContext.Default.ScrollRequest, QdrantJsonContext.Default.QdrantResponseScrollResultDto, cancellationToken)).ConfigureAwait(false);
            foreach (var record in response?.Result?.Points ?? [])
            {
                if (record.Payload is { ItemId: not null } payload && string.Equals(payload.UserId, filter.UserId, StringComparison.Ordinal))
                {
                    items.Add(ToItem(payload, record.Vector?.Dense, collection));
                }
            }

            var next = PointIdText(response?.Result?.NextPageOffset);
            if (next is not null)
            {
                if (items.Count >= limit)
                {
                    return new MemoryScrollPage(items, FormatCursor(index, next));
                }

                offset = next;
                continue;
            }

            index++;
            offset = null;
            if (items.Count >= limit)
            {
                // The page is full at a collection boundary: a cursor only if a later collection has a match.
                var rest = await NextNonEmptyCollectionAsync(collections, index, qdrantFilter, cancellationToken).ConfigureAwait(false);
                return new MemoryScrollPage(items, rest is null ? null : FormatCursor(rest.Value, null));
            }
        }

        return new MemoryScrollPage(items, null);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default)
    {
        MemoryIndexValidation.ValidateSearch(request);
        MemoryIndexValidation.ValidateQueryVector(request.QueryVector, null, 0);

        var queryText = request.QueryText;
        var runKeyword = request.KeywordWeight > 0 && !string.IsNullOrWhiteSpace(queryText) && Bm25SparseEncoder.TermIds(queryText).Count > 0;
        var runVector = request.VectorWeight > 0 && !request.QueryVector.IsEmpty;
        if (!runKeyword && !runVector)
        {
            return [];
        }

        var queryVector = runVector ? request.QueryVector.ToArray() : null;
        var candidates = ReciprocalRankFusion.CandidateCount(request);
        var filter = ToFilter(request.Filter);
        var vectorRanking = new List<Candidate>();
        var keywordRanking = new List<Candidate>();
        foreach (var collection in CollectionsOf(request.Filter))
        {
            var state = await GetStateAsync(collection, create: false, null, null, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                continue;
            }

            MemoryIndexValidation.ValidateQueryVector(request.QueryVector, state.EmbeddingModel, state.DenseSize ?? 0);

            // A collection created before any embedding model was recorded has no dense vector to search.
            var searchDense = queryVector is not null && state.DenseSize is not null;
            var searches = new List<QueryRequest>(2);
            if (searchDense)
            {
                searches.Add(new QueryRequest
                {
                    Query = new QueryInputDto { Dense = queryVector },
                    Using = DenseVector,
                    Filter = filter,
                    Limit = candidates,
                    WithPayload = true,
                    WithVector = _options.Distance == "Cosine" ? null : DenseOnly,
                });
            }

            if (runKeyword)
            {
                searches.Add(new QueryRequest
                {
                    Query = new QueryInputDto { Sparse = SparseQuery(queryText!, state) },
                    Using = SparseVector,
                    Filter = filter,
                    Limit = candidates,
                    WithPayload = true,
                    WithVector = searchDense ? DenseOnly : null,
                });
            }

            var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(state.Name)}/points/query/batch",
                new QueryBatchRequest { Searches = searches }, QdrantJsonContext.Default.QueryBatchRequest,
                QdrantJsonContext.Default.QdrantResponseListQueryResponseDto, cancellationToken)).ConfigureAwait(false);
            var results = response?.Result;
            if (results is null || results.Count != searches.Count)
            {
                continue;
            }

            var next = 0;
            if (searchDense)
            {
                vectorRanking.AddRange(ToCandidates(results[next++], collection, request.Filter.UserId));
            }

            if (runKeyword)
            {
                keywordRanking.AddRange(ToCandidates(results[next], collection, request.Filter.UserId).Where(c => c.Score > 0));
            }
        }

        return Fuse(request, queryVector, Rank(vectorRanking, candidates), Rank(keywordRanking, candidates), runKeyword, runVector);
    }

    private List<MemoryHit> Fuse(MemorySearchRequest request, float[]? queryVector, List<Candidate> vectorRanking, List<Candidate> keywordRanking, bool runKeyword, bool runVector)
    {
        var byKey = new Dictionary<(string Collection, string ItemId), Candidate>();
        foreach (var candidate in vectorRanking.Concat(keywordRanking))
        {
            byKey.TryAdd(candidate.Key, candidate);
        }

        var fused = ReciprocalRankFusion.Fuse(
            request,
            runKeyword ? keywordRanking.Select(c => c.Key).ToList() : null,
            runVector ? vectorRanking.Select(c => new KeyValuePair<(string, string), double>(c.Key, Similarity(c, queryVector, fromScore: true) ?? c.Score)).ToList() : null);
        return fused
            .Select(f =>
            {
                var candidate = byKey[f.Key];
                var similarity = f.VectorSimilarity ?? (runVector ? Similarity(candidate, queryVector, fromScore: false) : null);
                return new MemoryHit(ToItem(candidate.Payload, candidate.Dense, candidate.Key.Collection), f.Score, f.KeywordRank, similarity);
            })
            .ToList();
    }

    private double? Similarity(Candidate candidate, float[]? query, bool fromScore)
    {
        if (query is null)
        {
            return null;
        }

        if (fromScore && _options.Distance == "Cosine")
        {
            return candidate.Score;
        }

        if (candidate.Dense is not { Length: > 0 } vector || vector.Length != query.Length)
        {
            return null;
        }

        double dot = 0, qq = 0, vv = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            dot += (double)query[i] * vector[i];
            qq += (double)query[i] * query[i];
            vv += (double)vector[i] * vector[i];
        }

        return qq == 0 || vv == 0 ? 0 : dot / Math.Sqrt(qq * vv);
    }

    private static List<Candidate> Rank(List<Candidate> candidates, int limit) =>
        candidates
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Key.ItemId, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    private static IEnumerable<Candidate> ToCandidates(QueryResponseDto response, string collection, string userId)
    {
        foreach (var point in response.Points ?? [])
        {
            // The filter already scopes to the owner; checking the payload again costs nothing.
            if (point.Payload is { ItemId: not null } payload && string.Equals(payload.UserId, userId, StringComparison.Ordinal))
            {
                yield return new Candidate((collection, payload.ItemId), point.Score, payload, point.Vector?.Dense);
            }
        }
    }

    private SparseInputDto SparseQuery(string text, CollectionState state)
    {
        if (state.Encoding == ServerEncoding)
        {
            return new SparseInputDto { Text = text, Model = ServerEncoding, Options = Bm25Options() };
        }

        var (indices, values) = Bm25SparseEncoder.EncodeQuery(text);
        return new SparseInputDto { Indices = indices, Values = values };
    }

    private Bm25OptionsDto Bm25Options() => new() { K = _options.Bm25K1, B = _options.Bm25B, AvgLen = _options.Bm25AverageLength };

    private PointStructDto ToPoint(MemoryItem item, CollectionState state)
    {
        float[]? dense = null;
        double? norm = null;
        if (!item.Vector.IsEmpty)
        {
            dense = item.Vector.ToArray();
            double sum = 0;
            foreach (var v in dense)
            {
                sum += (double)v * v;
            }

            norm = Math.Sqrt(sum);
        }

        SparseInputDto? sparse = null;
        if (state.Encoding == ServerEncoding)
        {
            if (Bm25SparseEncoder.TermIds(item.Text).Count > 0)
            {
                sparse = new SparseInputDto { Text = item.Text, Model = ServerEncoding, Options = Bm25Options() };
            }
        }
        else
        {
            var (indices, values) = _encoder.EncodeDocument(item.Text);
            if (indices.Length > 0)
            {
                sparse = new SparseInputDto { Indices = indices, Values = values };
            }
        }

        return new PointStructDto
        {
            Id = PointIds.For(item.UserId, item.Id),
            Vector = new PointVectorsDto { Dense = dense, Bm25 = sparse },
            Payload = new PointPayloadDto
            {
                ItemId = item.Id,
                UserId = item.UserId,
                SessionId = item.SessionId,
                Collection = item.Collection,
                Type = item.Type,
                Text = item.Text,
                CreatedAt = FormatTime(item.CreatedAt),
                DenseNorm = norm,
                Fields = item.Payload.Count == 0 ? null : new Dictionary<string, string>(item.Payload, StringComparer.Ordinal),
            },
        };
    }

    private MemoryItem ToItem(PointPayloadDto payload, float[]? dense, string collection)
    {
        var vector = ReadOnlyMemory<float>.Empty;
        if (dense is { Length: > 0 })
        {
            // Qdrant stores cosine vectors normalised; the norm kept in the payload restores the caller's vector.
            if (_options.Distance == "Cosine" && payload.DenseNorm is { } norm && norm > 0)
            {
                var current = Math.Sqrt(dense.Sum(v => (double)v * v));
                var scale = current > 0 ? norm / current : 1;
                dense = dense.Select(v => (float)(v * scale)).ToArray();
            }

            vector = dense;
        }

        return new MemoryItem
        {
            Id = payload.ItemId!,
            Collection = payload.Collection ?? collection,
            UserId = payload.UserId!,
            SessionId = payload.SessionId,
            Type = payload.Type ?? "message",
            Text = payload.Text ?? string.Empty,
            Vector = vector,
            CreatedAt = payload.CreatedAt is null ? default : DateTimeOffset.Parse(payload.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            Payload = payload.Fields ?? new Dictionary<string, string>(),
        };
    }

    private static FilterDto ToFilter(MemoryFilter filter)
    {
        if (filter.From is { } start && filter.To is { } end && start >= end)
        {
            throw new ArgumentException($"The time range is empty: From ({start:O}) must be before To ({end:O}).", nameof(filter));
        }

        var must = new List<ConditionDto> { new() { Key = "user_id", Match = new MatchDto { Value = filter.UserId } } };
        if (filter.SessionId is not null)
        {
            must.Add(new ConditionDto { Key = "session_id", Match = new MatchDto { Value = filter.SessionId } });
        }

        if (filter.Types is { Count: > 0 } types)
        {
            must.Add(new ConditionDto { Key = "type", Match = new MatchDto { Any = types.Distinct(StringComparer.Ordinal).ToArray() } });
        }

        if (filter.From is not null || filter.To is not null)
        {
            must.Add(new ConditionDto
            {
                Key = "created_at",
                Range = new DatetimeRangeDto
                {
                    Gte = filter.From is { } from ? FormatTime(from) : null,
                    Lt = filter.To is { } to ? FormatTime(to) : null,
                },
            });
        }

        return new FilterDto { Must = must };
    }

    private static List<string> CollectionsOf(MemoryFilter filter)
    {
        if (filter.Collections is not { Count: > 0 } collections)
        {
            return [.. MemoryCollections.All];
        }

        return collections.Select(c => MemoryCollections.Validate(c, nameof(filter))).Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task<List<RecordDto>> RetrieveAsync(string userId, string collection, IReadOnlyList<string> ids, bool withVector, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(collection, create: false, null, null, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return [];
        }

        var wanted = new HashSet<string>(ids.Where(i => i is not null), StringComparer.Ordinal);
        var request = new PointRequest
        {
            Ids = wanted.Select(id => PointIds.For(userId, id)).Distinct(StringComparer.Ordinal).ToArray(),
            WithPayload = true,
            WithVector = withVector && state.DenseSize is not null ? DenseOnly : null,
        };
        var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(_options.CollectionName(collection))}/points", request,
            QdrantJsonContext.Default.PointRequest, QdrantJsonContext.Default.QdrantResponseListRecordDto, cancellationToken)).ConfigureAwait(false);
        return (response?.Result ?? [])
            .Where(r => r.Payload is { ItemId: not null } p && string.Equals(p.UserId, userId, StringComparison.Ordinal) && wanted.Contains(p.ItemId))
            .ToList();
    }

    private async Task DeleteByFilterAsync(string collectionName, FilterDto filter, CancellationToken cancellationToken)
    {
        var request = new PointsSelectorRequest { Filter = filter };
        await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(collectionName)}/points/delete?wait=true", request,
            QdrantJsonContext.Default.PointsSelectorRequest, QdrantJsonContext.Default.QdrantResponseUpdateResultDto, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<int?> NextNonEmptyCollectionAsync(List<string> collections, int start, FilterDto filter, CancellationToken cancellationToken)
    {
        for (var i = start; i < collections.Count; i++)
        {
            var request = new ScrollRequest { Filter = filter, Limit = 1, WithPayload = false };
            var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Post, $"collections/{Escape(_options.CollectionName(collections[i]))}/points/scroll", request,
                QdrantJsonContext.Default.ScrollRequest, QdrantJsonContext.Default.QdrantResponseScrollResultDto, cancellationToken)).ConfigureAwait(false);
            if (response?.Result?.Points is { Count: > 0 })
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Runs a read; a collection that does not exist yet reads as empty.</summary>
    private static async Task<T?> ReadOrDefaultAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (QdrantRequestException ex) when (ex.IsMissingCollection)
        {
            return null;
        }
    }

    private async Task<CollectionState?> GetStateAsync(string collection, bool create, int? vectorSize, string? embeddingModel, CancellationToken cancellationToken)
    {
        if (_collections.TryGetValue(collection, out var cached))
        {
            return cached;
        }

        await _bootstrapLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_collections.TryGetValue(collection, out cached))
            {
                return cached;
            }

            var name = _options.CollectionName(collection);
            var info = await GetInfoAsync(name, cancellationToken).ConfigureAwait(false);
            if (info is null)
            {
                if (!create)
                {
                    return null;
                }

                // Without a known size the collection starts keyword-only; EnsureEmbeddingModelAsync adds the dense vector.
                var size = _options.VectorSize ?? _embedding?.Dimensions ?? vectorSize;
                var model = embeddingModel ?? _embedding?.Model;
                await CreateCollectionAsync(name, size, model, await ResolveEncodingAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                info = await GetInfoAsync(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new LongMemoryStoreException($"Qdrant collection '{name}' was created but cannot be read back.");
            }

            var state = ReadState(name, info);
            await EnsurePayloadIndexesAsync(name, info, cancellationToken).ConfigureAwait(false);
            _collections[collection] = state;
            return state;
        }
        finally
        {
            _bootstrapLock.Release();
        }
    }

    private CollectionState ReadState(string name, CollectionInfoDto info)
    {
        var parameters = info.Config?.Params;
        if (parameters?.SparseVectors?.ContainsKey(SparseVector) != true)
        {
            throw new LongMemoryStoreException(
                $"Qdrant collection '{name}' exists but was not created by LongMemory.Kernel (it has no sparse vector '{SparseVector}'). " +
                "Use another CollectionPrefix or delete the collection.");
        }

        int? denseSize = null;
        if (parameters.Vectors is { ValueKind: JsonValueKind.Object } vectors && vectors.TryGetProperty(DenseVector, out var dense))
        {
            var distance = dense.TryGetProperty("distance", out var d) ? d.GetString() : null;
            if (!string.Equals(distance, _options.Distance, StringComparison.Ordinal))
            {
                throw new LongMemoryStoreException($"Qdrant collection '{name}' uses distance '{distance}' but the options ask for '{_options.Distance}'.");
            }

            denseSize = dense.GetProperty("size").GetInt32();
        }

        var metadata = info.Config?.Metadata;
        var encoding = metadata?.SparseEncoding ?? ClientEncoding;
        if ((_options.UseServerSideBm25 == QdrantServerSideBm25.On && encoding != ServerEncoding) ||
            (_options.UseServerSideBm25 == QdrantServerSideBm25.Off && encoding != ClientEncoding))
        {
            throw new LongMemoryStoreException(
                $"Qdrant collection '{name}' holds '{encoding}' sparse vectors but {nameof(QdrantMemoryIndexOptions.UseServerSideBm25)} is {_options.UseServerSideBm25}; " +
                $"use {nameof(QdrantServerSideBm25.Auto)} or re-index into a new collection prefix.");
        }

        return new CollectionState(name, denseSize, encoding, denseSize is null ? null : metadata?.EmbeddingModel);
    }

    private async Task<CollectionInfoDto?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        var response = await ReadOrDefaultAsync(() => _client.SendAsync(HttpMethod.Get, $"collections/{Escape(name)}",
            QdrantJsonContext.Default.QdrantResponseCollectionInfoDto, cancellationToken)).ConfigureAwait(false);
        return response?.Result;
    }

    private async Task CreateCollectionAsync(string name, int? size, string? model, string encoding, CancellationToken cancellationToken)
    {
        var request = new CreateCollectionRequest
        {
            Vectors = size is null ? null : new() { [DenseVector] = new VectorParamsDto { Size = size.Value, Distance = _options.Distance } },
            SparseVectors = new() { [SparseVector] = new SparseVectorParamsDto { Modifier = "idf" } },
            Metadata = new CollectionMetadataDto
            {
                Schema = SchemaVersion,
                SparseEncoding = encoding,
                EmbeddingModel = model,
                EmbeddingDimensions = model is null ? null : size,
            },
        };
        try
        {
            await _client.SendAsync(HttpMethod.Put, $"collections/{Escape(name)}", request, QdrantJsonContext.Default.CreateCollectionRequest,
                QdrantJsonContext.Default.QdrantResponseBoolean, cancellationToken).ConfigureAwait(false);
            LogCreated(_logger, name, size ?? 0, encoding);
        }
        catch (QdrantRequestException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Another process created it first: its configuration is read and checked next.
        }
    }

    private async Task EnsurePayloadIndexesAsync(string name, CollectionInfoDto info, CancellationToken cancellationToken)
    {
        (string Field, FieldSchemaDto Schema)[] indexes =
        [
            ("user_id", new FieldSchemaDto { Type = "keyword", IsTenant = true }),
            ("session_id", new FieldSchemaDto { Type = "keyword" }),
            ("collection", new FieldSchemaDto { Type = "keyword" }),
            ("type", new FieldSchemaDto { Type = "keyword" }),
            ("created_at", new FieldSchemaDto { Type = "datetime" }),
        ];
        foreach (var (field, schema) in indexes)
        {
            if (info.PayloadSchema?.ContainsKey(field) == true)
            {
                continue;
            }

            var request = new CreateFieldIndexRequest { FieldName = field, FieldSchema = schema };
            await _client.SendAsync(HttpMethod.Put, $"collections/{Escape(name)}/index?wait=true", request, QdrantJsonContext.Default.CreateFieldIndexRequest,
                QdrantJsonContext.Default.QdrantResponseUpdateResultDto, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> ResolveEncodingAsync(CancellationToken cancellationToken)
    {
        switch (_options.UseServerSideBm25)
        {
            case QdrantServerSideBm25.On:
                return ServerEncoding;
            case QdrantServerSideBm25.Off:
                return ClientEncoding;
        }

        if (_serverEncoding is not null)
        {
            return _serverEncoding;
        }

        var version = await _client.SendAsync(HttpMethod.Get, string.Empty, QdrantJsonContext.Default.VersionInfoDto, cancellationToken).ConfigureAwait(false);
        var text = version.Version ?? string.Empty;
        var core = text.Split('-', '+')[0];
        _serverEncoding = Version.TryParse(core, out var parsed) && parsed >= FirstServerWithBm25 ? ServerEncoding : ClientEncoding;
        LogEncoding(_logger, text, _serverEncoding);
        return _serverEncoding;
    }

    private static (int Index, string? Offset) ParseCursor(string? cursor, int collectionCount)
    {
        if (cursor is null)
        {
            return (0, null);
        }

        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(cursor.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= collectionCount)
        {
            throw new ArgumentException($"'{cursor}' is not a cursor of this scroll.", nameof(cursor));
        }

        var offset = cursor[(colon + 1)..];
        if (offset.Length > 0 && !Guid.TryParse(offset, out _) && !ulong.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"'{cursor}' is not a cursor of this scroll.", nameof(cursor));
        }

        return (index, offset.Length == 0 ? null : offset);
    }

    private static string FormatCursor(int index, string? offset) => index.ToString(CultureInfo.InvariantCulture) + ":" + offset;

    private static string? PointIdText(JsonElement? id) => id switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };

    private static string FormatTime(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    private static string Escape(string name) => Uri.EscapeDataString(name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Qdrant index records embedding model {Model} ({Dimensions} dimensions)")]
    private static partial void LogEmbeddingModel(ILogger logger, string model, int dimensions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Qdrant collection {Collection} (dense size {Size}, sparse encoding {Encoding})")]
    private static partial void LogCreated(ILogger logger, string collection, int size, string encoding);

    [LoggerMessage(Level = LogLevel.Information, Message = "Qdrant server {Version}: sparse encoding {Encoding}")]
    private static partial void LogEncoding(ILogger logger, string version, string encoding);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upserted {Count} points into {Collection}")]
    private static partial void LogUpserted(ILogger logger, int count, string collection);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} items from {Collection}")]
    private static partial void LogDeleted(ILogger logger, int count, string collection);

    private sealed record CollectionState(string Name, int? DenseSize, string Encoding, string? EmbeddingModel);

    private sealed record Candidate((string Collection, string ItemId) Key, double Score, PointPayloadDto Payload, float[]? Dense);
}
