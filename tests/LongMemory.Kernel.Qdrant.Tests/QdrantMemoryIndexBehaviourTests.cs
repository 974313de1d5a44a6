using System.Net;
using Grpc.Core;
using LongMemory.Kernel.Qdrant.Points;
using LongMemory.Kernel.Qdrant.Tests.Fakes;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// What is specific to Qdrant: collection bootstrap, the requests sent (read back from the fake's recording with the
/// official client's types), point ids, retries, timeouts, errors and the API key.
/// </summary>
public sealed class QdrantMemoryIndexBehaviourTests
{
    private const string Owner = "alice";
    private const int Timeout = 30_000;
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = Timeout)]
    public async Task EnsureEmbeddingModelAsync_FreshServer_CreatesOneCollectionPerKindWithDenseSparseAndPayloadIndexes()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();

        await index.EnsureEmbeddingModelAsync("model-a", 4);

        Assert.Equal(["t_documents", "t_knowledge", "t_logs", "t_model_memory"], host.Server.CollectionNames);
        var create = Assert.Single(host.Requests("Collections/Create", CreateCollection.Parser), c => c.CollectionName == "t_logs");
        var dense = create.VectorsConfig.ParamsMap.Map["dense"];
        Assert.Equal(4UL, dense.Size);
        Assert.Equal(Distance.Cosine, dense.Distance);
        Assert.Equal(Modifier.Idf, create.SparseVectorsConfig.Map["bm25"].Modifier);
        Assert.Equal("model-a", create.Metadata["longmemory_embedding_model"].StringValue);

        var indexes = host.Requests("Points/CreateFieldIndex", CreateFieldIndexCollection.Parser).Where(r => r.CollectionName == "t_logs").ToDictionary(r => r.FieldName);
        Assert.Equal(["collection", "created_at", "session_id", "type", "user_id"], indexes.Keys.Order());
        Assert.True(indexes["user_id"].FieldIndexParams.KeywordIndexParams.IsTenant);
        Assert.Equal(FieldType.Keyword, indexes["user_id"].FieldType);
        Assert.Equal(FieldType.Datetime, indexes["created_at"].FieldType);
        Assert.All(host.Requests("Points/CreateFieldIndex", CreateFieldIndexCollection.Parser), r => Assert.True(r.Wait));
    }

    [Fact(Timeout = Timeout)]
    public async Task EnsureEmbeddingModelAsync_SecondIndexOnSameServer_ReusesCollectionsAndRemembersTheModel()
    {
        await using var host = await QdrantTestHost.StartAsync();
        await host.CreateIndex().EnsureEmbeddingModelAsync("model-a", 4);
        var writesBefore = host.Server.Calls.Count(c => c.Method is "Collections/Create" or "Collections/Update" or "Points/CreateFieldIndex");

        await host.CreateIndex().EnsureEmbeddingModelAsync("model-a", 4);

        Assert.Equal(writesBefore, host.Server.Calls.Count(c => c.Method is "Collections/Create" or "Collections/Update" or "Points/CreateFieldIndex"));
        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => host.CreateIndex().EnsureEmbeddingModelAsync("model-b", 4));
        Assert.Equal("model-a", error.ExpectedModelId);
        var info = await host.CreateClient().GetCollectionInfoAsync("t_knowledge");
        Assert.Equal("model-a", info.Config.Metadata["longmemory_embedding_model"].StringValue);
    }

    [Fact(Timeout = Timeout)]
    public async Task EnsureEmbeddingModelAsync_AfterKeywordOnlyItems_AddsTheDenseVectorAndKeepsTheItems()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.UpsertAsync([Item("k1", "octopus garden", vector: null)]);

        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        var added = Assert.Single(host.Requests("Points/CreateVectorName", CreateVectorNameRequest.Parser), r => r.CollectionName == "t_logs");
        Assert.Equal(4UL, added.DenseConfig.Size);
        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner)) { QueryText = "octopus", QueryVector = new float[] { 1, 0, 0, 0 } });
        Assert.Equal(["k1", "v1"], hits.Select(h => h.Item.Id).Order());
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_SameItemTwice_WritesOnePointWithADeterministicUuidAndWaits()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.EnsureEmbeddingModelAsync("model-a", 4);

        await index.UpsertAsync([Item("msg:1:0", "first", [1, 0, 0, 0])]);
        await index.UpsertAsync([Item("msg:1:0", "second", [0, 1, 0, 0])]);

        var upserts = host.Requests("Points/Upsert", UpsertPoints.Parser);
        Assert.Equal(2, upserts.Count);
        Assert.All(upserts, u => Assert.True(u.Wait));
        Assert.Equal(PointIds.For(Owner, "msg:1:0"), upserts[1].Points[0].Id.Uuid);
        Assert.Equal(upserts[0].Points[0].Id, upserts[1].Points[0].Id);
        Assert.Equal("msg:1:0", upserts[1].Points[0].Payload["item_id"].StringValue);
        Assert.Equal(1, await index.CountAsync(new MemoryFilter(Owner)));
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_MoreItemsThanTheBatchSize_SendsSeveralRequests()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex(o => o.BatchSize = 2);

        await index.UpsertAsync(Enumerable.Range(0, 5).Select(i => Item("m" + i, "text " + i, vector: null)).ToList());

        Assert.Equal([2, 2, 1], host.Requests("Points/Upsert", UpsertPoints.Parser).Select(r => r.Points.Count));
        Assert.Equal(5, await index.CountAsync(new MemoryFilter(Owner)));
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_Text_SendsClientSideSparseVectorsThatSearchFinds()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();

        await index.UpsertAsync([Item("k1", "octopus garden", vector: null), Item("k2", "walrus choir", vector: null)]);
        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner)) { QueryText = "Octopus?" });

        var bm25 = host.Requests("Points/Upsert", UpsertPoints.Parser)[0].Points[0].Vectors.Vectors_.Vectors["bm25"];
        Assert.Equal(Vector.VectorOneofCase.Sparse, bm25.VectorCase);
        Assert.Equal(2, bm25.Sparse.Indices.Count);
        Assert.Equal("k1", Assert.Single(hits).Item.Id);
    }

    [Fact(Timeout = Timeout)]
    public async Task SearchAsync_Hybrid_SendsBothRankingsInOneBatchScopedToTheOwner()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner) { SessionId = "s1", Collections = [MemoryCollections.Logs] })
        {
            QueryText = "cherry",
            QueryVector = new float[] { 1, 0, 0, 0 },
            Top = 3,
        });

        var batch = Assert.Single(host.Requests("Points/QueryBatch", QueryBatchPoints.Parser));
        Assert.Equal("t_logs", batch.CollectionName);
        Assert.Equal(["dense", "bm25"], batch.QueryPoints.Select(q => q.Using));
        Assert.All(batch.QueryPoints, q =>
        {
            Assert.Equal(12UL, q.Limit);
            Assert.Equal(Owner, q.Filter.Must[0].Field.Match.Keyword);
            Assert.Equal("user_id", q.Filter.Must[0].Field.Key);
            Assert.Equal("s1", q.Filter.Must[1].Field.Match.Keyword);
        });
    }

    [Fact(Timeout = Timeout)]
    public async Task EveryRead_AndFilteredDelete_CarriesTheOwnersTenantFilter()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry pie", [1, 0, 0, 0]), Item("v1", "cherry jam", [1, 0, 0, 0], owner: "bob")]);

        await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner)) { QueryText = "cherry", QueryVector = new float[] { 1, 0, 0, 0 } });
        await index.ScrollAsync(new MemoryFilter(Owner), limit: 1);
        await index.CountAsync(new MemoryFilter(Owner) { Types = ["message"] });
        await index.GetAsync(Owner, MemoryCollections.Logs, ["v1"]);
        await index.DeleteAsync(Owner, MemoryCollections.Logs, ["v1"]);
        await index.DeleteAsync(new MemoryFilter(Owner) { SessionId = "s1" });

        var filters = host.Requests("Points/QueryBatch", QueryBatchPoints.Parser).SelectMany(b => b.QueryPoints).Select(q => q.Filter)
            .Concat(host.Requests("Points/Scroll", ScrollPoints.Parser).Select(s => s.Filter))
            .Concat(host.Requests("Points/Count", CountPoints.Parser).Select(c => c.Filter))
            .Concat(host.Requests("Points/Delete", DeletePoints.Parser).Select(d => d.Points.Filter))
            .ToList();
        Assert.True(filters.Count >= 4 + 2 + 4 + 2, $"only {filters.Count} filtered calls were recorded");
        Assert.All(filters, f => Assert.Contains(f.Must, c => c.Field is { Key: "user_id" } field && field.Match.Keyword == Owner));
        var get = Assert.Single(host.Requests("Points/Get", GetPoints.Parser), g => g.CollectionName == "t_logs" && g.WithVectors.Include is not null);
        Assert.Equal([PointIds.For(Owner, "v1")], get.Ids.Select(i => i.Uuid));
        Assert.Single(await index.GetAsync("bob", MemoryCollections.Logs, ["v1"]));
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_UnavailableThenResourceExhausted_RetriesUntilItSucceeds()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.UpsertAsync([Item("k1", "octopus", vector: null)]);
        host.Server.FailNext(StatusCode.Unavailable, "Service unavailable");
        host.Server.FailNext(StatusCode.ResourceExhausted, "Too many requests");

        var count = await index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] });

        Assert.Equal(1, count);
        Assert.Equal(3, host.Server.CallsTo("Points/Count").Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_Retry_WaitsAJitteredBackOffOnTheTimeProviderCappedByMaxRetryDelay()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var requestTimeout = TimeSpan.FromSeconds(30);
        var index = host.CreateIndex(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
            o.RequestTimeout = requestTimeout;
        });
        await index.UpsertAsync([Item("k1", "octopus", vector: null)]);
        host.Server.FailNext(StatusCode.Unavailable, "Service unavailable");

        var counting = index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] });
        var delay = await host.Time.NextTimerAsync(due => due != requestTimeout && due != TimeSpan.Zero, TestContext());

        Assert.InRange(delay, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.False(counting.IsCompleted);
        host.Time.Advance(delay);
        Assert.Equal(1, await counting);
        Assert.Equal(2, host.Server.CallsTo("Points/Count").Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_UnavailableOnEveryAttempt_ThrowsStoreExceptionWithQdrantsText()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex(o => o.MaxRetries = 2);
        for (var i = 0; i < 3; i++)
        {
            host.Server.FailNext(StatusCode.Unavailable, "node is shutting down");
        }

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] }));

        Assert.Contains("node is shutting down", error.Message, StringComparison.Ordinal);
        Assert.Contains("Unavailable", error.Message, StringComparison.Ordinal);
        Assert.Contains("t_logs", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, host.Server.CallsTo("Points/Count").Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task CountAsync_NoAnswerWithinRequestTimeout_ThrowsStoreExceptionNamingTheTimeout()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var requestTimeout = TimeSpan.FromSeconds(7);
        var index = host.CreateIndex(o =>
        {
            o.RequestTimeout = requestTimeout;
            o.MaxRetries = 0;
        });
        host.Server.HangNext();

        var counting = index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] });
        await host.Time.NextTimerAsync(due => due == requestTimeout, TestContext());
        host.Time.Advance(requestTimeout);

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => counting);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.Contains("RequestTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_QdrantRejectsTheRequest_ThrowsStoreExceptionWithItsTextAndDoesNotRetry()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.UpsertAsync([Item("k1", "octopus", vector: null)]);
        host.Server.FailNext(StatusCode.InvalidArgument, "Wrong input: payload is too large");

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.UpsertAsync([Item("k2", "walrus", vector: null)]));

        Assert.Contains("Wrong input: payload is too large", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, host.Server.CallsTo("Points/Upsert").Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task AnyCall_ServerNeedsAnApiKey_SendsItAsApiKeyMetadata()
    {
        await using var host = await QdrantTestHost.StartAsync(apiKey: "s3cret");
        var index = host.CreateIndex();

        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        Assert.NotEmpty(host.Server.Calls);
        Assert.All(host.Server.Calls, c => Assert.Equal("s3cret", c.ApiKey));
    }

    [Fact(Timeout = Timeout)]
    public async Task AnyCall_ApiKeyMissing_ThrowsWithQdrantsAuthenticationMessage()
    {
        await using var host = await QdrantTestHost.StartAsync(apiKey: "s3cret");
        var index = host.CreateIndex(o => o.ApiKey = null);

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.EnsureEmbeddingModelAsync("model-a", 4));

        Assert.Contains("Must provide an API key", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task AnyCall_CancelledBeforehand_ThrowsOperationCanceledNotStoreException()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var error = await Record.ExceptionAsync(() => index.CountAsync(new MemoryFilter(Owner), cts.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact(Timeout = Timeout)]
    public async Task AnyCall_CancelledWhileTheServerIsSilent_ThrowsOperationCanceledNotStoreException()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex(o => o.RequestTimeout = TimeSpan.FromMinutes(5));
        host.Server.HangNext();
        using var cts = new CancellationTokenSource();

        var counting = index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] }, cts.Token);
        await host.Time.NextTimerAsync(due => due == TimeSpan.FromMinutes(5), TestContext());
        await cts.CancelAsync();

        var error = await Record.ExceptionAsync(() => counting);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact(Timeout = Timeout)]
    public async Task AnyCall_ServerUnreachable_ThrowsStoreExceptionAfterRetries()
    {
        var endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        using var index = new QdrantMemoryIndex(new QdrantMemoryIndexOptions { Endpoint = endpoint, MaxRetries = 1, RetryBaseDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(10) });

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter(Owner)));

        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task UpsertAsync_CollectionOfAnotherApplication_ThrowsStoreException()
    {
        await using var host = await QdrantTestHost.StartAsync();
        await host.CreateClient().CreateCollectionAsync("t_logs", new VectorParams { Size = 4, Distance = Distance.Dot });
        var index = host.CreateIndex();

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.UpsertAsync([Item("k1", "x", vector: null)]));

        Assert.Contains("not created by LongMemory", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task GetAsync_ItemsOfTwoOwnersWithTheSameId_AreDifferentPoints()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.UpsertAsync([Item("m1", "alice's", vector: null), Item("m1", "bob's", vector: null, owner: "bob")]);

        Assert.Equal("alice's", Assert.Single(await index.GetAsync(Owner, MemoryCollections.Logs, ["m1"])).Text);
        Assert.Equal("bob's", Assert.Single(await index.GetAsync("bob", MemoryCollections.Logs, ["m1"])).Text);
        var pointIds = host.Requests("Points/Upsert", UpsertPoints.Parser).SelectMany(u => u.Points).Select(p => p.Id.Uuid).ToList();
        Assert.Equal([PointIds.For(Owner, "m1"), PointIds.For("bob", "m1")], pointIds);
    }

    [Fact(Timeout = Timeout)]
    public async Task ScrollAsync_AcrossCollections_CursorMovesFromOneCollectionToTheNext()
    {
        await using var host = await QdrantTestHost.StartAsync();
        var index = host.CreateIndex();
        await index.UpsertAsync(
        [
            Item("a", "log a", vector: null), Item("b", "log b", vector: null),
            Item("c", "fact c", vector: null, collection: MemoryCollections.Knowledge),
        ]);

        var first = await index.ScrollAsync(new MemoryFilter(Owner), limit: 2);
        var second = await index.ScrollAsync(new MemoryFilter(Owner), limit: 2, cursor: first.NextCursor);

        Assert.Equal(["a", "b"], first.Items.Select(i => i.Id).Order());
        Assert.NotNull(first.NextCursor);
        Assert.Equal(["c"], second.Items.Select(i => i.Id));
        Assert.Null(second.NextCursor);
        await Assert.ThrowsAsync<ArgumentException>(() => index.ScrollAsync(new MemoryFilter(Owner), cursor: "garbage"));
    }

    private static CancellationToken TestContext() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static MemoryItem Item(string id, string text, float[]? vector, string owner = Owner, string collection = MemoryCollections.Logs) => new()
    {
        Id = id,
        Collection = collection,
        UserId = owner,
        SessionId = "s1",
        Text = text,
        Vector = vector ?? ReadOnlyMemory<float>.Empty,
        CreatedAt = T0,
    };
}
