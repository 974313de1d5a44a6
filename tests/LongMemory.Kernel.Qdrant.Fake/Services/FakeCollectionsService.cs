using Grpc.Core;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Fake.Services;

/// <summary>The collection calls the index and its tests make: get, list, exists, create, update (metadata), delete.</summary>
internal sealed class FakeCollectionsService(FakeQdrantState state) : Collections.CollectionsBase
{
    public override Task<GetCollectionInfoResponse> Get(GetCollectionInfoRequest request, ServerCallContext context)
    {
        lock (state.Gate)
        {
            return Task.FromResult(new GetCollectionInfoResponse { Result = state.Get(request.CollectionName).Info() });
        }
    }

    public override Task<ListCollectionsResponse> List(ListCollectionsRequest request, ServerCallContext context)
    {
        var response = new ListCollectionsResponse();
        lock (state.Gate)
        {
            response.Collections.Add(state.Collections.Keys.Order(StringComparer.Ordinal).Select(n => new CollectionDescription { Name = n }));
        }

        return Task.FromResult(response);
    }

    public override Task<CollectionExistsResponse> CollectionExists(CollectionExistsRequest request, ServerCallContext context)
    {
        lock (state.Gate)
        {
            return Task.FromResult(new CollectionExistsResponse { Result = new CollectionExists { Exists = state.Collections.ContainsKey(request.CollectionName) } });
        }
    }

    public override Task<CollectionOperationResponse> Create(CreateCollection request, ServerCallContext context)
    {
        var name = request.CollectionName;
        if (string.IsNullOrEmpty(name) || name.Length > 255 || name.IndexOfAny(['/', '\\', '*', '<', '>', ':', '|', '?', '\0']) >= 0)
        {
            throw QdrantErrors.WrongInput($"Collection name '{name}' is not valid");
        }

        var collection = new FakeCollection(name);
        switch (request.VectorsConfig?.ConfigCase)
        {
            case null or VectorsConfig.ConfigOneofCase.None:
                break;
            case VectorsConfig.ConfigOneofCase.Params:
                collection.DenseVectors[string.Empty] = Checked(request.VectorsConfig.Params);
                break;
            case VectorsConfig.ConfigOneofCase.ParamsMap:
                foreach (var (vectorName, parameters) in request.VectorsConfig.ParamsMap.Map)
                {
                    collection.DenseVectors[vectorName] = Checked(parameters);
                }

                break;
        }

        foreach (var (vectorName, parameters) in request.SparseVectorsConfig?.Map ?? [])
        {
            if (collection.DenseVectors.ContainsKey(vectorName))
            {
                throw QdrantErrors.WrongInput($"Vector name '{vectorName}' is used for both a dense and a sparse vector");
            }

            collection.SparseVectors[vectorName] = parameters.Clone();
        }

        collection.Metadata.Add(request.Metadata);
        lock (state.Gate)
        {
            if (!state.Collections.TryAdd(name, collection))
            {
                throw QdrantErrors.CollectionExists(name);
            }
        }

        return Task.FromResult(new CollectionOperationResponse { Result = true });
    }

    public override Task<CollectionOperationResponse> Update(UpdateCollection request, ServerCallContext context)
    {
        if (request.VectorsConfig is not null || request.SparseVectorsConfig is not null || request.Params is not null)
        {
            throw QdrantErrors.NotModelled("updates of vector or collection parameters");
        }

        lock (state.Gate)
        {
            var collection = state.Get(request.CollectionName);
            foreach (var (key, value) in request.Metadata)
            {
                collection.Metadata[key] = value.Clone();
            }
        }

        return Task.FromResult(new CollectionOperationResponse { Result = true });
    }

    public override Task<CollectionOperationResponse> Delete(DeleteCollection request, ServerCallContext context)
    {
        lock (state.Gate)
        {
            return Task.FromResult(new CollectionOperationResponse { Result = state.Collections.Remove(request.CollectionName) });
        }
    }

    private static VectorParams Checked(VectorParams parameters)
    {
        if (parameters.Size == 0 || parameters.Size > 65536)
        {
            throw QdrantErrors.WrongInput($"Vector size must be between 1 and 65536, got {parameters.Size}");
        }

        if (parameters.Distance is not (Distance.Cosine or Distance.Dot))
        {
            throw QdrantErrors.NotModelled($"the {parameters.Distance} distance");
        }

        return parameters.Clone();
    }
}
