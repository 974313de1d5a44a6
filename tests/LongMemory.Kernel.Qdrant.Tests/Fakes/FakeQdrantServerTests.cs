using System.Net;
using System.Text;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>The fake's schema check has teeth: a body the OpenAPI document does not allow is refused.</summary>
public sealed class FakeQdrantServerTests : IDisposable
{
    private readonly FakeQdrantServer _server = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    [Theory]
    [InlineData("""{"filter": {"bogus": []}}""")]
    [InlineData("""{"exact": "yes"}""")]
    [InlineData("""{"filter": {"must": [{"key": "user_id", "match": {"value": 1.5}}]}}""")]
    public async Task CountRequest_NotAllowedByTheSchema_Gets400AndIsRecorded(string body)
    {
        await CreateCollectionAsync();

        using var response = await _http.PostAsync(new Uri(_server.Endpoint, "collections/c/points/count"), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("CountRequest", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(_server.ValidationFailures);
    }

    [Fact]
    public async Task QueryRequest_UnknownQueryParameter_Gets400()
    {
        await CreateCollectionAsync();

        using var response = await _http.PostAsync(new Uri(_server.Endpoint, "collections/c/points/query?wait=true"), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(_server.ValidationFailures);
    }

    [Fact]
    public async Task QueryRequest_PrefetchWithRrf_FusesTheRankings()
    {
        await CreateCollectionAsync();
        await SendAsync(HttpMethod.Put, "collections/c/points?wait=true", """
            {"points": [
              {"id": "00000000-0000-0000-0000-000000000001", "vector": {"dense": [1, 0], "bm25": {"indices": [7], "values": [1.0]}}, "payload": {"u": "a"}},
              {"id": "00000000-0000-0000-0000-000000000002", "vector": {"dense": [0, 1], "bm25": {"indices": [7, 8], "values": [1.0, 2.0]}}, "payload": {"u": "a"}},
              {"id": "00000000-0000-0000-0000-000000000003", "vector": {"dense": [1, 0.1]}, "payload": {"u": "b"}}
            ]}
            """);

        var result = await SendAsync(HttpMethod.Post, "collections/c/points/query", """
            {"prefetch": [{"query": [1, 0], "using": "dense", "limit": 5}, {"query": {"indices": [8], "values": [1.0]}, "using": "bm25", "limit": 5}],
             "query": {"fusion": "rrf"}, "filter": {"must": [{"key": "u", "match": {"value": "a"}}]}, "limit": 10}
            """);

        var points = System.Text.Json.Nodes.JsonNode.Parse(result)!["result"]!["points"]!.AsArray();
        Assert.Equal(["00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000001"], points.Select(p => (string)p!["id"]!));
        Assert.Equal(1.0 / 2 + 1.0 / 3, (double)points[0]!["score"]!, 6);
        Assert.Empty(_server.ValidationFailures);
    }

    private Task CreateCollectionAsync() =>
        SendAsync(HttpMethod.Put, "collections/c", """{"vectors": {"dense": {"size": 2, "distance": "Cosine"}}, "sparse_vectors": {"bm25": {"modifier": "idf"}}}""");

    private async Task<string> SendAsync(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, new Uri(_server.Endpoint, path)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }
}
