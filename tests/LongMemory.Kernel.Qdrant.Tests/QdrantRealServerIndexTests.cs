using LongMemory.Kernel.Qdrant.Tests.Infrastructure;
using Qdrant.Client;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// The conformance suite against a real Qdrant at <c>LONGMEMORY_QDRANT_URL</c>, its gRPC endpoint (for example
/// <c>http://localhost:6334</c>), with <c>LONGMEMORY_QDRANT_API_KEY</c> when set. Each test uses its own collection
/// prefix and deletes its collections afterwards.
/// </summary>
[RequiresEnvironmentVariable("LONGMEMORY_QDRANT_URL", "set it to a Qdrant gRPC endpoint such as http://localhost:6334 (and LONGMEMORY_QDRANT_API_KEY if the server needs one) to run the IMemoryIndex conformance suite against a real Qdrant.")]
public sealed class QdrantRealServerIndexTests : MemoryIndexConformanceTests
{
    private readonly string _prefix = "lmtest_" + Guid.NewGuid().ToString("N")[..10] + "_";

    private static Uri Endpoint => new(Environment.GetEnvironmentVariable("LONGMEMORY_QDRANT_URL")!);

    private static string? ApiKey => Environment.GetEnvironmentVariable("LONGMEMORY_QDRANT_API_KEY") is { Length: > 0 } key ? key : null;

    protected override Task<IMemoryIndex> CreateIndexAsync() =>
        Task.FromResult<IMemoryIndex>(new QdrantMemoryIndex(new QdrantMemoryIndexOptions
        {
            Endpoint = Endpoint,
            ApiKey = ApiKey,
            CollectionPrefix = _prefix,
            RequestTimeout = TimeSpan.FromSeconds(30),
        }));

    protected override async Task DisposeIndexAsync(IMemoryIndex index)
    {
        ((IDisposable)index).Dispose();
        using var client = new QdrantClient(Endpoint, ApiKey, grpcTimeout: TimeSpan.FromSeconds(30));
        foreach (var collection in MemoryCollections.All)
        {
            if (await client.CollectionExistsAsync(_prefix + collection))
            {
                await client.DeleteCollectionAsync(_prefix + collection);
            }
        }
    }
}
