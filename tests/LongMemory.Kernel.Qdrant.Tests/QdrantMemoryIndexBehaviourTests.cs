using System.Net;
using LongMemory.Kernel.Qdrant.Points;
using LongMemory.Kernel.Qdrant.Tests.Fakes;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>What is specific to Qdrant: collection bootstrap, wire shapes, point ids, retries, errors and the API key.</summary>
public sealed class QdrantMemoryIndexBehaviourTests : IDisposable
{
    private const string Owner = "alice";
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly QdrantTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task EnsureEmbeddingModelAsync_FreshServer_CreatesOneCollectionPerKindWithDenseSparseAndPayloadIndexes()
    {
        var index = _host.CreateIndex();

        await index.EnsureEmbeddingModelAsync("model-a", 4);

        Assert.Equal(["t_documents", "t_knowledge", "t_logs", "t_model_memory"], _host.Server.CollectionNames.Order());
        var create = Assert.Single(_host.RequestsTo("PUT", "/collections/t_logs")).Body!;
        Assert.Equal(4, (int)create["vectors"]!["dense"]!["size"]!);
        Assert.Equal("Cosine", (string)create["vectors"]!["dense"]!["distance"]!);
        Assert.Equal("idf", (string)create["sparse_vectors"]!["bm25"]!["modifier"]!);
        Assert.Equal("model-a", (string)create["metadata"]!["longmemory_embedding_model"]!);

        var indexes = _host.RequestsTo("PUT", "/collections/t_logs/index").ToDictionary(r => (string)r.Body!["field_name"]!, r => r.Body!["field_schema"]!);
        Assert.Equal(["collection", "created_at", "session_id", "type", "user_id"], indexes.Keys.Order());
        Assert.True((bool)indexes["user_id"]["is_tenant"]!);
        Assert.Equal("keyword", (string)indexes["user_id"]["type"]!);
        Assert.Equal("datetime", (string)indexes["created_at"]["type"]!);
        Assert.All(_host.RequestsTo("PUT", "/index"), r => Assert.Contains("wait=true", r.Request.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureEmbeddingModelAsync_SecondIndexOnSameServer_ReusesCollectionsAndRemembersTheModel()
    {
        await _host.CreateIndex().EnsureEmbeddingModelAsync("model-a", 4);
        var createsBefore = _host.Server.Requests.Count(r => r.Method == "PUT");

        var restarted = _host.CreateIndex();
        await restarted.EnsureEmbeddingModelAsync("model-a", 4);

        Assert.Equal(createsBefore, _host.Server.Requests.Count(r => r.Method == "PUT"));
        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => _host.CreateIndex().EnsureEmbeddingModelAsync("model-b", 4));
        Assert.Equal("model-a", error.ExpectedModelId);
        Assert.Equal("model-a", (string)_host.Server.Metadata("t_knowledge")!["longmemory_embedding_model"]!);
    }

    [Fact]
    public async Task EnsureEmbeddingModelAsync_AfterKeywordOnlyItems_AddsTheDenseVectorAndKeepsTheItems()
    {
        var index = _host.CreateIndex();
        await index.UpsertAsync([Item("k1", "octopus garden", vector: null)]);

        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        Assert.Single(_host.RequestsTo("PUT", "/collections/t_logs/vectors/dense"));
        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner)) { QueryText = "octopus", QueryVector = new float[] { 1, 0, 0, 0 } });
        Assert.Equal(["k1", "v1"], hits.Select(h => h.Item.Id).Order());
    }

    [Fact]
    public async Task UpsertAsync_SameItemTwice_WritesOnePointWithADeterministicUuidAndWaits()
    {
        var index = _host.CreateIndex();
        await index.EnsureEmbeddingModelAsync("model-a", 4);

        await index.UpsertAsync([Item("msg:1:0", "first", [1, 0, 0, 0])]);
        await index.UpsertAsync([Item("msg:1:0", "second", [0, 1, 0, 0])]);

        var upserts = _host.RequestsTo("PUT", "/collections/t_logs/points");
        Assert.Equal(2, upserts.Count);
        Assert.All(upserts, u => Assert.Equal("?wait=true", u.Request.Query));
        var point = upserts[1].Body!["points"]![0]!;
        Assert.Equal(PointIds.For(Owner, "msg:1:0"), (string)point["id"]!);
        Assert.Equal((string)upserts[0].Body!["points"]![0]!["id"]!, (string)point["id"]!);
        Assert.Equal("msg:1:0", (string)point["payload"]!["item_id"]!);
        Assert.Equal(1, await index.CountAsync(new MemoryFilter(Owner)));
    }

    [Fact]
    public async Task UpsertAsync_MoreItemsThanTheBatchSize_SendsSeveralRequests()
    {
        var index = _host.CreateIndex(o => o.BatchSize = 2);

        await index.UpsertAsync(Enumerable.Range(0, 5).Select(i => Item("m" + i, "text " + i, vector: null)).ToList());

        Assert.Equal([2, 2, 1], _host.RequestsTo("PUT", "/collections/t_logs/points").Select(r => r.Body!["points"]!.AsArray().Count));
        Assert.Equal(5, await index.CountAsync(new MemoryFilter(Owner)));
    }

    [Fact]
    public async Task UpsertAsync_ServerWithBm25_SendsDocumentsForServerSideInference()
    {
        var index = _host.CreateIndex();

        await index.UpsertAsync([Item("k1", "octopus garden", vector: null)]);

        var bm25 = _host.RequestsTo("PUT", "/collections/t_logs/points")[0].Body!["points"]![0]!["vector"]!["bm25"]!;
        Assert.Equal("qdrant/bm25", (string)bm25["model"]!);
        Assert.Equal("octopus garden", (string)bm25["text"]!);
    }

    [Fact]
    public async Task UpsertAsync_ServerOlderThan1152_SendsClientSideSparseVectorsThatSearchFinds()
    {
        using var old = new QdrantTestHost(version: "1.14.1");
        var index = old.CreateIndex();

        await index.UpsertAsync([Item("k1", "octopus garden", vector: null), Item("k2", "walrus choir", vector: null)]);
        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner)) { QueryText = "Octopus?" });

        var bm25 = old.RequestsTo("PUT", "/collections/t_logs/points")[0].Body!["points"]![0]!["vector"]!["bm25"]!;
        Assert.Equal(2, bm25["indices"]!.AsArray().Count);
        Assert.Null(bm25["model"]);
        Assert.Equal("k1", Assert.Single(hits).Item.Id);
    }

    [Fact]
    public async Task SearchAsync_Hybrid_SendsBothRankingsInOneBatchScopedToTheOwner()
    {
        var index = _host.CreateIndex();
        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Owner) { SessionId = "s1", Collections = [MemoryCollections.Logs] })
        {
            QueryText = "cherry",
            QueryVector = new float[] { 1, 0, 0, 0 },
            Top = 3,
        });

        var batch = Assert.Single(_host.RequestsTo("POST", "/collections/t_logs/points/query/batch")).Body!["searches"]!.AsArray();
        Assert.Equal(["dense", "bm25"], batch.Select(s => (string)s!["using"]!));
        Assert.All(batch, s =>
        {
            Assert.Equal(12, (int)s!["limit"]!);
            var must = s["filter"]!["must"]!.AsArray();
            Assert.Equal("user_id", (string)must[0]!["key"]!);
            Assert.Equal(Owner, (string)must[0]!["match"]!["value"]!);
            Assert.Equal("s1", (string)must[1]!["match"]!["value"]!);
        });
    }

    [Fact]
    public async Task CountAsync_429WithRetryAfterThen503_RetriesHonouringRetryAfterThenBackingOff()
    {
        var index = _host.CreateIndex(o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(100));
        await index.UpsertAsync([Item("k1", "octopus", vector: null)]);
        _host.Server.Enqueue(HttpStatusCode.TooManyRequests, "Too many requests", retryAfter: "3");
        _host.Server.Enqueue(HttpStatusCode.ServiceUnavailable, "Service unavailable");

        var count = await index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] });

        Assert.Equal(1, count);
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(200)], _host.Time.Delays);
        Assert.Equal(3, _host.RequestsTo("POST", "/points/count").Count);
    }

    [Fact]
    public async Task CountAsync_503OnEveryAttempt_ThrowsStoreExceptionWithQdrantsText()
    {
        var index = _host.CreateIndex(o => o.MaxRetries = 2);
        for (var i = 0; i < 3; i++)
        {
            _host.Server.Enqueue(HttpStatusCode.ServiceUnavailable, "node is shutting down");
        }

        var error = await Assert.ThrowsAnyAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] }));

        Assert.Contains("node is shutting down", error.Message, StringComparison.Ordinal);
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _host.RequestsTo("POST", "/points/count").Count);
    }

    [Fact]
    public async Task UpsertAsync_QdrantRejectsTheRequest_ThrowsStoreExceptionWithStatusErrorAndDoesNotRetry()
    {
        var index = _host.CreateIndex();
        await index.UpsertAsync([Item("k1", "octopus", vector: null)]);
        _host.Server.Enqueue(HttpStatusCode.BadRequest, "Wrong input: payload is too large");

        var error = await Assert.ThrowsAnyAsync<LongMemoryStoreException>(() => index.UpsertAsync([Item("k2", "walrus", vector: null)]));

        Assert.Contains("Wrong input: payload is too large", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _host.RequestsTo("PUT", "/collections/t_logs/points").Count);
        Assert.Empty(_host.Time.Delays);
    }

    [Fact]
    public async Task AnyCall_ServerNeedsAnApiKey_SendsItAsApiKeyHeader()
    {
        using var secured = new QdrantTestHost(apiKey: "s3cret");
        var index = secured.CreateIndex(o => o.ApiKey = "s3cret");

        await index.EnsureEmbeddingModelAsync("model-a", 4);
        await index.UpsertAsync([Item("v1", "cherry", [1, 0, 0, 0])]);

        Assert.NotEmpty(secured.Server.Requests);
        Assert.All(secured.Server.Requests, r => Assert.Equal("s3cret", r.ApiKey));
    }

    [Fact]
    public async Task AnyCall_ApiKeyMissing_ThrowsWithQdrantsAuthenticationMessage()
    {
        using var secured = new QdrantTestHost(apiKey: "s3cret");
        var index = secured.CreateIndex();

        var error = await Assert.ThrowsAnyAsync<LongMemoryStoreException>(() => index.EnsureEmbeddingModelAsync("model-a", 4));

        Assert.Contains("Must provide an API key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_Cancelled_ThrowsOperationCanceledNotStoreException()
    {
        var index = _host.CreateIndex();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => index.CountAsync(new MemoryFilter(Owner), cts.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task AnyCall_ServerUnreachable_ThrowsStoreExceptionAfterRetries()
    {
        using var http = new HttpClient();
        var index = new QdrantMemoryIndex(http, new QdrantMemoryIndexOptions { Endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/"), MaxRetries = 1 }, timeProvider: _host.Time);

        var error = await Assert.ThrowsAnyAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter(Owner)));

        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Single(_host.Time.Delays);
    }

    [Fact]
    public async Task UpsertAsync_CollectionOfAnotherApplication_ThrowsStoreException()
    {
        using var http = new HttpClient();
        using var response = await http.PutAsync(new Uri(_host.Server.Endpoint, "collections/t_logs"),
            new StringContent("""{"vectors":{"size":4,"distance":"Dot"}}""", System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var index = _host.CreateIndex();

        var error = await Assert.ThrowsAnyAsync<LongMemoryStoreException>(() => index.UpsertAsync([Item("k1", "x", vector: null)]));

        Assert.Contains("not created by LongMemory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ItemsOfTwoOwnersWithTheSameId_AreDifferentPoints()
    {
        var index = _host.CreateIndex();
        await index.UpsertAsync([Item("m1", "alice's", vector: null), Item("m1", "bob's", vector: null, owner: "bob")]);

        Assert.Equal("alice's", Assert.Single(await index.GetAsync(Owner, MemoryCollections.Logs, ["m1"])).Text);
        Assert.Equal("bob's", Assert.Single(await index.GetAsync("bob", MemoryCollections.Logs, ["m1"])).Text);
        Assert.NotEqual(PointIds.For(Owner, "m1"), PointIds.For("bob", "m1"));
    }

    [Fact]
    public async Task ScrollAsync_AcrossCollections_CursorMovesFromOneCollectionToTheNext()
    {
        var index = _host.CreateIndex();
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
