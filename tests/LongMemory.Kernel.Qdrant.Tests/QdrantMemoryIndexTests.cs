using LongMemory.Kernel.Qdrant.Tests.Fakes;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// The shared <see cref="IMemoryIndex"/> conformance suite against the fake Qdrant (version 1.19, so
/// <see cref="QdrantServerSideBm25.Auto"/> uses the server's BM25 inference). Every request the index sends is
/// validated against the OpenAPI document; a test fails if any was not.
/// </summary>
public class QdrantMemoryIndexTests : MemoryIndexConformanceTests
{
    private FakeQdrantServer? _server;
    private HttpClient? _http;

    /// <summary>Gets where BM25 vectors are computed in this run of the suite.</summary>
    protected virtual QdrantServerSideBm25 Bm25 => QdrantServerSideBm25.Auto;

    protected override Task<IMemoryIndex> CreateIndexAsync()
    {
        _server = new FakeQdrantServer();
        _http = new HttpClient();
        var options = new QdrantMemoryIndexOptions { Endpoint = _server.Endpoint, UseServerSideBm25 = Bm25 };
        return Task.FromResult<IMemoryIndex>(new QdrantMemoryIndex(_http, options));
    }

    protected override Task DisposeIndexAsync(IMemoryIndex index)
    {
        _http?.Dispose();
        _server?.Dispose();
        Assert.Empty(_server?.ValidationFailures ?? []);
        return Task.CompletedTask;
    }
}

/// <summary>The conformance suite with client-side sparse vectors (tokenizer, hashed term ids, BM25 weights).</summary>
public sealed class QdrantClientSideBm25IndexTests : QdrantMemoryIndexTests
{
    protected override QdrantServerSideBm25 Bm25 => QdrantServerSideBm25.Off;
}
