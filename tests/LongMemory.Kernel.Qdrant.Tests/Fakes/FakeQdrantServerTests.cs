using Grpc.Core;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using static Qdrant.Client.Grpc.Conditions;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>
/// The fake answers the official client as Qdrant does: errors with the server's codes and texts, filters, scroll
/// pages, and scores (cosine, sparse dot product with the IDF modifier). The conformance suite relies on all of it.
/// </summary>
public sealed class FakeQdrantServerTests
{
    private const int Timeout = 30_000;

    [Fact(Timeout = Timeout)]
    public async Task AnyPointCall_UnknownCollection_IsNotFoundWithQdrantsMessage()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.CountAsync("nope"));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("Not found: Collection `nope` doesn't exist!", error.Status.Detail);
    }

    [Fact(Timeout = Timeout)]
    public async Task CreateCollectionAsync_Twice_IsAlreadyExists()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);

        var error = await Assert.ThrowsAsync<RpcException>(() => CreateAsync(client));

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_WrongDimensionOrUnknownVectorName_IsInvalidArgumentAndStoresNothing()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);

        var dimension = await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync("c", [Point(1, dense: [1, 0, 0]), Point(2, dense: [1, 0, 0, 0])]));
        var name = await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync("c", [new PointStruct { Id = 3, Vectors = new Dictionary<string, Vector> { ["other"] = new float[] { 1, 0, 0, 0 } } }]));

        Assert.Equal(StatusCode.InvalidArgument, dimension.StatusCode);
        Assert.Contains("expected dim: 4, got 3", dimension.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, name.StatusCode);
        Assert.Contains("Not existing vector name", name.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0UL, await client.CountAsync("c"));
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_DenseCosine_ScoresTheCosineSimilarity()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);
        await client.UpsertAsync("c", [Point(1, dense: [3, 4, 0, 0]), Point(2, dense: [0, 0, 5, 0])]);

        var hits = await client.QueryAsync("c", new float[] { 1, 0, 0, 0 }, usingVector: "dense");

        Assert.Equal([1UL, 2UL], hits.Select(h => h.Id.Num));
        Assert.Equal(0.6f, hits[0].Score, 5);
        Assert.Equal(0f, hits[1].Score, 5);
    }

    [Fact(Timeout = Timeout)]
    public async Task QueryAsync_SparseWithIdfModifier_WeighsTermsByQdrantsIdf()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);
        // Term 7 is in one point of three, term 9 in all three.
        await client.UpsertAsync("c", [Point(1, sparse: ([7, 9], [0.5f, 0.5f])), Point(2, sparse: ([9], [0.5f])), Point(3, sparse: ([9, 11], [0.5f, 2f]))]);

        var hits = await client.QueryAsync("c", new Query { Nearest = new VectorInput { Sparse = Sparse([7, 9], [1, 1]) } }, usingVector: "bm25");

        var rare = Math.Log(1 + ((3 - 1 + 0.5) / (1 + 0.5)));
        var common = Math.Log(1 + ((3 - 3 + 0.5) / (3 + 0.5)));
        Assert.Equal([1UL, 2UL, 3UL], hits.Select(h => h.Id.Num));
        Assert.Equal((float)(0.5 * rare + 0.5 * common), hits[0].Score, 5);
        Assert.Equal((float)(0.5 * common), hits[1].Score, 5);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_MustMustNotShouldAnyAndDatetimeRange_FilterAsQdrantDoes()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);
        await client.UpsertAsync("c",
        [
            Point(1, payload: ("a", "x", "2025-03-01T12:00:00.0000000+00:00")),
            Point(2, payload: ("a", "y", "2025-03-01T13:00:00.0000000+00:00")),
            Point(3, payload: ("b", "x", "2025-03-01T14:00:00.0000000+00:00")),
        ]);
        var t0 = new DateTime(2025, 3, 1, 12, 30, 0, DateTimeKind.Utc);

        Assert.Equal(2UL, await client.CountAsync("c", MatchKeyword("user", "a")));
        Assert.Equal(1UL, await client.CountAsync("c", MatchKeyword("user", "a") & !MatchKeyword("type", "x")));
        Assert.Equal(3UL, await client.CountAsync("c", Match("type", ["x", "y"])));
        Assert.Equal(2UL, await client.CountAsync("c", DatetimeRange("at", gte: t0)));
        Assert.Equal(2UL, await client.CountAsync("c", new Filter { Should = { MatchKeyword("user", "b"), HasId(1UL) } }));
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_ConditionWithoutAnyClause_IsInvalidArgument()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.CountAsync("c", new Filter { Must = { new Condition { Field = new FieldCondition { Key = "user" } } } }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task ScrollAsync_Pages_FollowPointIdOrderWithTheNextOffset()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);
        await client.UpsertAsync("c", [Point(5), Point(1), Point(3), Point(4), Point(2)]);

        var first = await client.ScrollAsync("c", limit: 2);
        var second = await client.ScrollAsync("c", limit: 2, offset: first.NextPageOffset);
        var last = await client.ScrollAsync("c", limit: 2, offset: second.NextPageOffset);

        Assert.Equal([1UL, 2UL], first.Result.Select(p => p.Id.Num));
        Assert.Equal([3UL, 4UL], second.Result.Select(p => p.Id.Num));
        Assert.Equal([5UL], last.Result.Select(p => p.Id.Num));
        Assert.Null(last.NextPageOffset);
    }

    [Fact(Timeout = Timeout)]
    public async Task DeleteAsync_ByFilterAndByIds_RemovesOnlyThosePoints()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var client = host.CreateClient();
        await CreateAsync(client);
        await client.UpsertAsync("c", [Point(1, payload: ("a", "x", "")), Point(2, payload: ("b", "x", "")), Point(3, payload: ("b", "y", ""))]);

        await client.DeleteAsync("c", MatchKeyword("user", "a"));
        await client.DeleteAsync("c", 3UL);

        Assert.Equal([2UL], (await client.ScrollAsync("c")).Result.Select(p => p.Id.Num));
    }

    private static Task CreateAsync(QdrantClient client) =>
        client.CreateCollectionAsync("c", new VectorParamsMap { Map = { ["dense"] = new VectorParams { Size = 4, Distance = Distance.Cosine } } },
            sparseVectorsConfig: new SparseVectorConfig { Map = { ["bm25"] = new SparseVectorParams { Modifier = Modifier.Idf } } });

    private static PointStruct Point(ulong id, float[]? dense = null, (uint[] Indices, float[] Values)? sparse = null, (string User, string Type, string At)? payload = null)
    {
        var point = new PointStruct { Id = id, Vectors = new Vectors { Vectors_ = new NamedVectors() } };
        if (dense is not null)
        {
            var vector = new DenseVector();
            vector.Data.Add(dense);
            point.Vectors.Vectors_.Vectors["dense"] = new Vector { Dense = vector };
        }

        if (sparse is { } s)
        {
            point.Vectors.Vectors_.Vectors["bm25"] = new Vector { Sparse = Sparse(s.Indices, s.Values) };
        }

        if (payload is { } p)
        {
            point.Payload["user"] = p.User;
            point.Payload["type"] = p.Type;
            point.Payload["at"] = p.At;
        }

        return point;
    }

    private static SparseVector Sparse(uint[] indices, float[] values)
    {
        var vector = new SparseVector();
        vector.Indices.Add(indices);
        vector.Values.Add(values);
        return vector;
    }
}
