using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using LongMemory.Kernel.Qdrant.Points;
using LongMemory.Kernel.Qdrant.Sparse;
using LongMemory.Kernel.Qdrant.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qdrant.Client.Grpc;
using static LongMemory.Kernel.Qdrant.Points.PointConversions;

namespace LongMemory.Kernel.Qdrant;

/// <summary>
/// An <see cref="IMemoryIndex"/> over Qdrant's gRPC API through the official <c>Qdrant.Client</c>: one collection per
/// memory kind, a named dense vector (<c>dense</c>) and a BM25 sparse vector (<c>bm25</c>, IDF applied by the server),
/// tenants partitioned by the <c>user_id</c> payload field.
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
/// BM25 sparse vectors are computed here (a deterministic tokenizer, hashed term ids, BM25 term-frequency weights) and
/// the server applies IDF (the sparse vector's <c>idf</c> modifier). Qdrant's own <c>qdrant/bm25</c> inference is not
/// used: its tokenizer and stemmer change between server versions, so the same data would rank differently per server
/// and no test double could reproduce it.
/// </para>
/// <para>
/// Search sends the dense and the BM25 ranking of each collection as one <c>QueryBatch</c> call and fuses them on the
/// client with weighted reciprocal-rank fusion, <c>Σ w / (k + rank)</c> divided by its maximum. Server-side fusion
/// (prefetches under an RRF query) returns only the fused list, so it could give neither the library's normalised
/// score nor <see cref="MemoryHit.KeywordRank"/> and <see cref="MemoryHit.VectorSimilarity"/>, and it cannot merge
/// rankings across collections. Keyword candidates come back with their dense vector so their similarity is known too.
/// </para>
/// <para>
/// Scroll pages run collection by collection, each in Qdrant's point-id order; the cursor is
/// <c>{collection index}:{next point id}</c>.
/// </para>
/// </remarks>
public sealed partial class QdrantMemoryIndex : IMemoryIndex, IDisposable
{
    private const int SchemaVersion = 1;
    private const string ClientEncoding = "client-bm25-fnv1a";
    private const string UnrecordedModel = "(not recorded)";
    private const string SchemaKey = "longmemory_schema";
    private const string ModelKey = "longmemory_embedding_model";
    private const string DimensionsKey = "longmemory_embedding_dimensions";
    private const string EncodingKey = "longmemory_sparse_encoding";

    private static readonly WithPayloadSelector AllPayload = new() { Enable = true };
    private static readonly WithPayloadSelector NoPayload = new() { Enable = false };
    private static readonly WithVectorsSelector NoVectors = new() { Enable = false };
    private static readonly WithVectorsSelector DenseOnly = new() { Include = new VectorsSelector { Names = { DenseVectorName } } };

    private readonly QdrantMemoryIndexOptions _options;
    private readonly QdrantTransport _transport;
    private readonly ILogger _logger;
    private readonly Bm25SparseEncoder _encoder;
    private readonly bool _cosine;
    private readonly ConcurrentDictionary<string, CollectionState> _collections = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bootstrapLock = new(1, 1);
    private (string Model, int Dimensions)? _embedding;

    /// <summary>Initializes a new instance of the <see cref="QdrantMemoryIndex"/> class with its own gRPC channel.</summary>
    /// <param name="options">The options; copied and validated.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock of retry back-off delays and call timeouts.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public QdrantMemoryIndex(QdrantMemoryIndexOptions options, ILogger<QdrantMemoryIndex>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = Throw.IfNull(options).Clone();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _transport = new QdrantTransport(_options, timeProvider ?? TimeProvider.System);
        _encoder = new Bm25SparseEncoder(_options.Bm25K1, _options.Bm25B, _options.Bm25AverageLength);
        _cosine = _options.Distance == "Cosine";
    }

    /// <inheritdoc />
    /// <remarks>
    /// The model id and dimension are recorded in the metadata of all four collections. A collection created before
    /// a model was known (keyword-only items) gets its <c>dense</c> vector added here (<c>CreateVectorName</c>,
    /// Qdrant 1.19); on older servers set <see cref="QdrantMemoryIndexOptions.VectorSize"/> so collections are created
    /// with it.
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
                var request = new CreateVectorNameRequest
                {
                    CollectionName = state.Name,
                    VectorName = DenseVectorName,
                    Wait = true,
                    DenseConfig = new DenseVectorCreationConfig { Size = (ulong)dimensions, Distance = QdrantDistance },
                };
                await _transport.CallAsync("create vector", state.Name, (c, t) => c.CreateVectorNameAsync(request, t), false, cancellationToken).ConfigureAwait(false);
            }
            else if (state.DenseSize != dimensions)
            {
                throw new EmbeddingModelMismatchException(UnrecordedModel, state.DenseSize.Value, embeddingModelId, dimensions);
            }

            var metadata = new Dictionary<string, Value> { [ModelKey] = embeddingModelId, [DimensionsKey] = (long)dimensions };
            await _transport.CallAsync("update metadata", state.Name, (c, t) => c.UpdateCollectionAsync(state.Name, metadata: metadata, cancellationToken: t), false, cancellationToken)
                .ConfigureAwait(false);
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
                var points = batch.Select(i => ToPoint(i, _encoder)).ToList();
                await _transport.CallAsync("upsert", state.Name, (c, t) => c.UpsertAsync(state.Name, points, wait: true, cancellationToken: t), false, cancellationToken)
                    .ConfigureAwait(false);
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
        var byId = records.ToDictionary(r => Identity(r.Payload)!.Value.ItemId, StringComparer.Ordinal);
        var found = new List<MemoryItem>(byId.Count);
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (id is not null && byId.TryGetValue(id, out var record))
            {
                found.Add(ToItem(record.Payload, record.Vectors, collection, _cosine));
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

        var filter = new Filter();
        filter.Must.Add(Conditions.HasId(owned.Select(r => Guid.Parse(r.Id.Uuid)).ToList()));
        filter.Must.Add(Conditions.MatchKeyword("user_id", userId));
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
        var qdrantFilter = ToFilter(filter);
        long total = 0;
        foreach (var collection in CollectionsOf(filter))
        {
            var name = _options.CollectionName(collection);
            total += (long)await _transport.CallAsync("count", name, (c, t) => c.CountAsync(name, qdrantFilter, exact: true, cancellationToken: t), () => 0UL, cancellationToken)
                .ConfigureAwait(false);
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

            var vectors = state.DenseSize is null ? NoVectors : DenseOnly;
            var pageSize = (uint)(limit - items.Count);
            var start = offset is null ? null : new PointId { Uuid = offset };
            var response = await _transport.CallAsync("scroll", state.Name,
                (c, t) => c.ScrollAsync(state.Name, qdrantFilter, pageSize, start, AllPayload, vectors, cancellationToken: t), () => new ScrollResponse(), cancellationToken)
                .ConfigureAwait(false);
            foreach (var record in response.Result)
            {
                if (Identity(record.Payload) is { } identity && string.Equals(identity.UserId, filter.UserId, StringComparison.Ordinal))
                {
                    items.Add(ToItem(record.Payload, record.Vectors, collection, _cosine));
                }
            }

            var next = response.NextPageOffset?.Uuid is { Length: > 0 } uuid ? uuid : null;
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
            var queries = new List<QueryPoints>(2);
            if (searchDense)
            {
                var dense = new DenseVector();
                dense.Data.Add(queryVector);
                queries.Add(Query(state.Name, new VectorInput { Dense = dense }, DenseVectorName, filter, candidates, _cosine ? NoVectors : DenseOnly));
            }

            if (runKeyword)
            {
                var (indices, values) = Bm25SparseEncoder.EncodeQuery(queryText!);
                var sparse = new SparseVector();
                sparse.Indices.Add(indices);
                sparse.Values.Add(values);
                queries.Add(Query(state.Name, new VectorInput { Sparse = sparse }, SparseVectorName, filter, candidates, searchDense ? DenseOnly : NoVectors));
            }

            var results = await _transport.CallAsync("query", state.Name,
                (c, t) => c.QueryBatchAsync(state.Name, queries, cancellationToken: t), () => (IReadOnlyList<BatchResult>)[], cancellationToken).ConfigureAwait(false);
            if (results.Count != queries.Count)
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

    /// <summary>Closes the gRPC channel.</summary>
    public void Dispose()
    {
        _transport.Dispose();
        _bootstrapLock.Dispose();
    }

    private Distance QdrantDistance => _cosine ? Distance.Cosine : Distance.Dot;

    private static QueryPoints Query(string collectionName, VectorInput input, string vectorName, Filter filter, int limit, WithVectorsSelector vectors) => new()
    {
        CollectionName = collectionName,
        Query = new Query { Nearest = input },
        Using = vectorName,
        Filter = filter,
        Limit = (ulong)limit,
        WithPayload = AllPayload,
        WithVectors = vectors,
    };

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
                return new MemoryHit(ToItem(candidate.Point.Payload, candidate.Point.Vectors, candidate.Key.Collection, _cosine), f.Score, f.KeywordRank, similarity);
            })
            .ToList();
    }

    private double? Similarity(Candidate candidate, float[]? query, bool fromScore)
    {
        if (query is null)
        {
            return null;
        }

        if (fromScore && _cosine)
        {
            return candidate.Score;
        }

        if (DenseOf(candidate.Point.Vectors) is not { Length: > 0 } vector || vector.Length != query.Length)
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

    private static IEnumerable<Candidate> ToCandidates(BatchResult response, string collection, string userId)
    {
        foreach (var point in response.Result)
        {
            // The filter already scopes to the owner; checking the payload again costs nothing.
            if (Identity(point.Payload) is { } identity && string.Equals(identity.UserId, userId, StringComparison.Ordinal))
            {
                yield return new Candidate((collection, identity.ItemId), point.Score, point);
            }
        }
    }

    private static List<string> CollectionsOf(MemoryFilter filter)
    {
        if (filter.Collections is not { Count: > 0 } collections)
        {
            return [.. MemoryCollections.All];
        }

        return collections.Select(c => MemoryCollections.Validate(c, nameof(filter))).Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task<List<RetrievedPoint>> RetrieveAsync(string userId, string collection, IReadOnlyList<string> ids, bool withVector, CancellationToken cancellationToken)
    {
        var state = await GetStateAsync(collection, create: false, null, null, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return [];
        }

        var wanted = new HashSet<string>(ids.Where(i => i is not null), StringComparer.Ordinal);
        var pointIds = wanted.Select(id => PointIds.For(userId, id)).Distinct(StringComparer.Ordinal).Select(id => new PointId { Uuid = id }).ToList();
        var vectors = withVector && state.DenseSize is not null ? DenseOnly : NoVectors;
        var response = await _transport.CallAsync("retrieve", state.Name,
            (c, t) => c.RetrieveAsync(state.Name, pointIds, AllPayload, vectors, cancellationToken: t), () => (IReadOnlyList<RetrievedPoint>)[], cancellationToken).ConfigureAwait(false);
        return response
            .Where(r => Identity(r.Payload) is { } identity && string.Equals(identity.UserId, userId, StringComparison.Ordinal) && wanted.Contains(identity.ItemId))
            .ToList();
    }

    private Task DeleteByFilterAsync(string collectionName, Filter filter, CancellationToken cancellationToken) =>
        _transport.CallAsync("delete", collectionName, (c, t) => c.DeleteAsync(collectionName, filter, wait: true, cancellationToken: t), true, cancellationToken);

    private async Task<int?> NextNonEmptyCollectionAsync(List<string> collections, int start, Filter filter, CancellationToken cancellationToken)
    {
        for (var i = start; i < collections.Count; i++)
        {
            var name = _options.CollectionName(collections[i]);
            var response = await _transport.CallAsync("scroll", name, (c, t) => c.ScrollAsync(name, filter, 1, payloadSelector: NoPayload, cancellationToken: t),
                () => new ScrollResponse(), cancellationToken).ConfigureAwait(false);
            if (response.Result.Count > 0)
            {
                return i;
            }
        }

        return null;
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
                await CreateCollectionAsync(name, size, model, cancellationToken).ConfigureAwait(false);
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

    private CollectionState ReadState(string name, CollectionInfo info)
    {
        var parameters = info.Config?.Params;
        if (parameters?.SparseVectorsConfig?.Map.ContainsKey(SparseVectorName) != true)
        {
            throw new LongMemoryStoreException(
                $"Qdrant collection '{name}' exists but was not created by LongMemory.Kernel (it has no sparse vector '{SparseVectorName}'). " +
                "Use another CollectionPrefix or delete the collection.");
        }

        int? denseSize = null;
        if (parameters.VectorsConfig?.ParamsMap?.Map.TryGetValue(DenseVectorName, out var dense) == true)
        {
            if (dense.Distance != QdrantDistance)
            {
                throw new LongMemoryStoreException($"Qdrant collection '{name}' uses distance '{dense.Distance}' but the options ask for '{_options.Distance}'.");
            }

            denseSize = (int)dense.Size;
        }

        var metadata = info.Config!.Metadata;
        var encoding = metadata.TryGetValue(EncodingKey, out var e) && e.KindCase == Value.KindOneofCase.StringValue ? e.StringValue : ClientEncoding;
        if (encoding != ClientEncoding)
        {
            throw new LongMemoryStoreException(
                $"Qdrant collection '{name}' holds '{encoding}' sparse vectors (server-side BM25 of an earlier version); this index writes '{ClientEncoding}'. " +
                "Re-index into a new CollectionPrefix.");
        }

        var model = metadata.TryGetValue(ModelKey, out var m) && m.KindCase == Value.KindOneofCase.StringValue ? m.StringValue : null;
        return new CollectionState(name, denseSize, denseSize is null ? null : model);
    }

    private Task<CollectionInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) =>
        _transport.CallAsync<CollectionInfo?>("get collection", name, async (c, t) => await c.GetCollectionInfoAsync(name, t).ConfigureAwait(false), () => null, cancellationToken);

    private async Task CreateCollectionAsync(string name, int? size, string? model, CancellationToken cancellationToken)
    {
        var request = new CreateCollection
        {
            CollectionName = name,
            SparseVectorsConfig = new SparseVectorConfig { Map = { [SparseVectorName] = new SparseVectorParams { Modifier = Modifier.Idf } } },
            Metadata = { [SchemaKey] = SchemaVersion, [EncodingKey] = ClientEncoding },
        };
        if (size is not null)
        {
            request.VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { [DenseVectorName] = new VectorParams { Size = (ulong)size.Value, Distance = QdrantDistance } } } };
        }

        if (model is not null && size is not null)
        {
            request.Metadata[ModelKey] = model;
            request.Metadata[DimensionsKey] = size.Value;
        }

        try
        {
            await _transport.CallAsync("create collection", name, (c, t) => c.CreateCollectionAsync(request, t), false, cancellationToken).ConfigureAwait(false);
            LogCreated(_logger, name, size ?? 0);
        }
        catch (LongMemoryStoreException ex) when (ex.InnerException is RpcException { StatusCode: StatusCode.AlreadyExists })
        {
            // Another process created it first: its configuration is read and checked next.
        }
    }

    private async Task EnsurePayloadIndexesAsync(string name, CollectionInfo info, CancellationToken cancellationToken)
    {
        (string Field, PayloadSchemaType Type, PayloadIndexParams? Params)[] indexes =
        [
            ("user_id", PayloadSchemaType.Keyword, new PayloadIndexParams { KeywordIndexParams = new KeywordIndexParams { IsTenant = true } }),
            ("session_id", PayloadSchemaType.Keyword, null),
            ("collection", PayloadSchemaType.Keyword, null),
            ("type", PayloadSchemaType.Keyword, null),
            ("created_at", PayloadSchemaType.Datetime, null),
        ];
        foreach (var (field, type, parameters) in indexes)
        {
            if (info.PayloadSchema.ContainsKey(field))
            {
                continue;
            }

            await _transport.CallAsync("create payload index", name, (c, t) => c.CreatePayloadIndexAsync(name, field, type, parameters, wait: true, cancellationToken: t), false, cancellationToken)
                .ConfigureAwait(false);
        }
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
        if (offset.Length > 0 && !Guid.TryParse(offset, out _))
        {
            throw new ArgumentException($"'{cursor}' is not a cursor of this scroll.", nameof(cursor));
        }

        return (index, offset.Length == 0 ? null : offset);
    }

    private static string FormatCursor(int index, string? offset) => index.ToString(CultureInfo.InvariantCulture) + ":" + offset;

    [LoggerMessage(Level = LogLevel.Information, Message = "Qdrant index records embedding model {Model} ({Dimensions} dimensions)")]
    private static partial void LogEmbeddingModel(ILogger logger, string model, int dimensions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Qdrant collection {Collection} (dense size {Size})")]
    private static partial void LogCreated(ILogger logger, string collection, int size);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upserted {Count} points into {Collection}")]
    private static partial void LogUpserted(ILogger logger, int count, string collection);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} items from {Collection}")]
    private static partial void LogDeleted(ILogger logger, int count, string collection);

    private sealed record CollectionState(string Name, int? DenseSize, string? EmbeddingModel);

    private sealed record Candidate((string Collection, string ItemId) Key, double Score, ScoredPoint Point);
}
