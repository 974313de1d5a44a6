using LongMemory.Kernel.Qdrant.Tests.Infrastructure;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// The conformance suite against a real Qdrant at <c>LONGMEMORY_QDRANT_URL</c> (with <c>LONGMEMORY_QDRANT_API_KEY</c>
/// when set). Each test uses its own collection prefix and deletes its collections afterwards.
/// </summary>
[RequiresEnvironmentVariable("LONGMEMORY_QDRANT_URL", "set it (and LONGMEMORY_QDRANT_API_KEY if the server needs one) to run the IMemoryIndex conformance suite against a real Qdrant.")]
public sealed class QdrantRealServerIndexTests : MemoryIndexConformanceTests
{
    private readonly string _prefix = "lmtest_" + Guid.NewGuid().ToString("N")[..10] + "_";
    private readonly HttpClient _http = new();

    private static Uri Endpoint => new(Environment.GetEnvironmentVariable("LONGMEMORY_QDRANT_URL")!);

    private static string? ApiKey => Environment.GetEnvironmentVariable("LONGMEMORY_QDRANT_API_KEY") is { Length: > 0 } key ? key : null;

    protected override Task<IMemoryIndex> CreateIndexAsync() =>
        Task.FromResult<IMemoryIndex>(new QdrantMemoryIndex(_http, new QdrantMemoryIndexOptions { Endpoint = Endpoint, ApiKey = ApiKey, CollectionPrefix = _prefix }));

    protected override async Task DisposeIndexAsync(IMemoryIndex index)
    {
        foreach (var collection in MemoryCollections.All)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(Endpoint, "collections/" + _prefix + collection));
            if (ApiKey is not null)
            {
                request.Headers.Add("api-key", ApiKey);
            }

            using var response = await _http.SendAsync(request);
        }

        _http.Dispose();
    }
}
