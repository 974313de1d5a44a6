using Grpc.Core;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Fake.Services;

/// <summary>
/// The point calls the index makes: upsert, get, delete (ids or filter), count, scroll, query and query batch (nearest
/// dense or sparse), payload indexes and adding a named vector. Every write is applied before it answers, so
/// <c>wait</c> is always honoured.
/// </summary>
internal sealed class FakePointsService(FakeQdrantState state) : Points.PointsBase
{
    public override Task<PointsOperationResponse> Upsert(UpsertPoints request, ServerCallContext context)
    {
        if (request.UpdateFilter is not null)
        {
            throw QdrantErrors.NotModelled("conditional upserts (update_filter)");
        }

        lock (state.Gate)
        {
            state.Get(request.CollectionName).Upsert(request.Points);
        }

        return Completed();
    }

    public override Task<PointsOperationResponse> Delete(DeletePoints request, ServerCallContext context)
    {
        lock (state.Gate)
        {
            var collection = state.Get(request.CollectionName);
            List<FakePoint> doomed;
            switch (request.Points?.PointsSelectorOneOfCase)
            {
                case PointsSelector.PointsSelectorOneOfOneofCase.Points:
                    doomed = request.Points.Points.Ids.Select(collection.Find).OfType<FakePoint>().ToList();
                    break;
                case PointsSelector.PointsSelectorOneOfOneofCase.Filter:
                    FakeFilter.Validate(request.Points.Filter);
                    doomed = collection.Where(request.Points.Filter).ToList();
                    break;
                default:
                    throw QdrantErrors.BadRequest("points selector is empty");
            }

            doomed.ForEach(collection.Remove);
        }

        return Completed();
    }

    public override Task<GetResponse> Get(GetPoints request, ServerCallContext context)
    {
        var response = new GetResponse();
        lock (state.Gate)
        {
            var collection = state.Get(request.CollectionName);
            CheckVectorNames(collection, request.WithVectors);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in request.Ids)
            {
                if (collection.Find(id) is { } point && seen.Add(point.Key))
                {
                    response.Result.Add(point.ToRetrieved(request.WithPayload, request.WithVectors));
                }
            }
        }

        return Task.FromResult(response);
    }

    public override Task<CountResponse> Count(CountPoints request, ServerCallContext context)
    {
        FakeFilter.Validate(request.Filter);
        lock (state.Gate)
        {
            var count = state.Get(request.CollectionName).Where(request.Filter).Count();
            return Task.FromResult(new CountResponse { Result = new CountResult { Count = (ulong)count } });
        }
    }

    public override Task<ScrollResponse> Scroll(ScrollPoints request, ServerCallContext context)
    {
        if (request.OrderBy is not null)
        {
            throw QdrantErrors.NotModelled("scroll order_by");
        }

        FakeFilter.Validate(request.Filter);
        var response = new ScrollResponse();
        lock (state.Gate)
        {
            var collection = state.Get(request.CollectionName);
            CheckVectorNames(collection, request.WithVectors);
            var (page, next) = collection.Scroll(request.Filter, request.Offset, request.HasLimit ? (int)request.Limit : 10);
            response.Result.Add(page.Select(p => p.ToRetrieved(request.WithPayload, request.WithVectors)));
            response.NextPageOffset = next;
        }

        return Task.FromResult(response);
    }

    public override Task<QueryResponse> Query(QueryPoints request, ServerCallContext context)
    {
        var response = new QueryResponse();
        lock (state.Gate)
        {
            response.Result.Add(Run(state.Get(request.CollectionName), request));
        }

        return Task.FromResult(response);
    }

    public override Task<QueryBatchResponse> QueryBatch(QueryBatchPoints request, ServerCallContext context)
    {
        var response = new QueryBatchResponse();
        lock (state.Gate)
        {
            // The batch names the collection; the collection name inside each query is not used by the server.
            var collection = state.Get(request.CollectionName);
            foreach (var query in request.QueryPoints)
            {
                var result = new BatchResult();
                result.Result.Add(Run(collection, query));
                response.Result.Add(result);
            }
        }

        return Task.FromResult(response);
    }

    public override Task<PointsOperationResponse> CreateFieldIndex(CreateFieldIndexCollection request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.FieldName))
        {
            throw QdrantErrors.WrongInput("field_name is empty");
        }

        var type = request.HasFieldType ? request.FieldType : FieldType.Keyword;
        var info = new PayloadSchemaInfo { DataType = (PayloadSchemaType)((int)type + 1), Points = 0 };
        if (request.FieldIndexParams is { } parameters)
        {
            var matches = (parameters.IndexParamsCase, type) switch
            {
                (PayloadIndexParams.IndexParamsOneofCase.KeywordIndexParams, FieldType.Keyword) => true,
                (PayloadIndexParams.IndexParamsOneofCase.DatetimeIndexParams, FieldType.Datetime) => true,
                (PayloadIndexParams.IndexParamsOneofCase.IntegerIndexParams, FieldType.Integer) => true,
                (PayloadIndexParams.IndexParamsOneofCase.TextIndexParams, FieldType.Text) => true,
                (PayloadIndexParams.IndexParamsOneofCase.UuidIndexParams, FieldType.Uuid) => true,
                (PayloadIndexParams.IndexParamsOneofCase.FloatIndexParams, FieldType.Float) => true,
                (PayloadIndexParams.IndexParamsOneofCase.BoolIndexParams, FieldType.Bool) => true,
                (PayloadIndexParams.IndexParamsOneofCase.GeoIndexParams, FieldType.Geo) => true,
                _ => false,
            };
            if (!matches)
            {
                throw QdrantErrors.WrongInput($"index params {parameters.IndexParamsCase} do not match field type {type}");
            }

            info.Params = parameters.Clone();
        }

        lock (state.Gate)
        {
            state.Get(request.CollectionName).PayloadSchema[request.FieldName] = info;
        }

        return Completed();
    }

    public override Task<PointsOperationResponse> CreateVectorName(CreateVectorNameRequest request, ServerCallContext context)
    {
        lock (state.Gate)
        {
            var collection = state.Get(request.CollectionName);
            if (collection.DenseVectors.ContainsKey(request.VectorName) || collection.SparseVectors.ContainsKey(request.VectorName))
            {
                throw QdrantErrors.WrongInput($"Vector name '{request.VectorName}' already exists in collection `{request.CollectionName}`");
            }

            switch (request.VectorConfigCase)
            {
                case CreateVectorNameRequest.VectorConfigOneofCase.DenseConfig:
                    var dense = request.DenseConfig;
                    if (dense.Size == 0 || dense.Distance is not (Distance.Cosine or Distance.Dot))
                    {
                        throw QdrantErrors.WrongInput($"dense vector '{request.VectorName}' needs a size and a Cosine or Dot distance");
                    }

                    collection.DenseVectors[request.VectorName] = new VectorParams { Size = dense.Size, Distance = dense.Distance };
                    break;
                case CreateVectorNameRequest.VectorConfigOneofCase.SparseConfig:
                    var sparse = new SparseVectorParams();
                    if (request.SparseConfig.HasModifier)
                    {
                        sparse.Modifier = request.SparseConfig.Modifier;
                    }

                    collection.SparseVectors[request.VectorName] = sparse;
                    break;
                default:
                    throw QdrantErrors.WrongInput("vector config is empty");
            }
        }

        return Completed();
    }

    private static IEnumerable<ScoredPoint> Run(FakeCollection collection, QueryPoints query)
    {
        if (query.Prefetch.Count > 0)
        {
            throw QdrantErrors.NotModelled("prefetch queries");
        }

        if (query.Query is not { VariantCase: global::Qdrant.Client.Grpc.Query.VariantOneofCase.Nearest })
        {
            throw QdrantErrors.NotModelled($"{query.Query?.VariantCase.ToString() ?? "empty"} queries");
        }

        FakeFilter.Validate(query.Filter);
        CheckVectorNames(collection, query.WithVectors);
        var vectorName = query.HasUsing ? query.Using : string.Empty;
        var limit = query.HasLimit ? (int)query.Limit : 10;
        var offset = query.HasOffset ? (int)query.Offset : 0;
        return collection.Nearest(query.Query.Nearest, vectorName, query.Filter)
            .Where(r => !query.HasScoreThreshold || r.Score >= query.ScoreThreshold)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Point.Key, StringComparer.Ordinal)
            .Skip(offset)
            .Take(limit)
            .Select(r => r.Point.ToScored(r.Score, query.WithPayload, query.WithVectors))
            .ToList();
    }

    private static void CheckVectorNames(FakeCollection collection, WithVectorsSelector? selector)
    {
        if (selector?.SelectorOptionsCase != WithVectorsSelector.SelectorOptionsOneofCase.Include)
        {
            return;
        }

        foreach (var name in selector.Include.Names)
        {
            if (!collection.DenseVectors.ContainsKey(name) && !collection.SparseVectors.ContainsKey(name))
            {
                throw QdrantErrors.VectorNameMissing(name);
            }
        }
    }

    private static Task<PointsOperationResponse> Completed() =>
        Task.FromResult(new PointsOperationResponse { Result = new UpdateResult { Status = UpdateStatus.Completed } });
}
