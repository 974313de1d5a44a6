using LongMemory.Kernel.Qdrant.Fake;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// The shared <see cref="IMemoryIndex"/> conformance suite against the in-memory gRPC Qdrant, through the official
/// client. Each test gets its own server on a loopback port; a call that goes unanswered fails after the request
/// timeout (real clock) instead of hanging the run.
/// </summary>
public sealed class QdrantMemoryIndexTests : MemoryIndexConformanceTests
{
    private FakeQdrantServer? _server;

    protected override async Task<IMemoryIndex> CreateIndexAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _server = await FakeQdrantServer.StartAsync(cancellationToken: timeout.Token);
        return new QdrantMemoryIndex(new QdrantMemoryIndexOptions { Endpoint = _server.Endpoint, RequestTimeout = TimeSpan.FromSeconds(10), MaxRetries = 1 });
    }

    protected override async Task DisposeIndexAsync(IMemoryIndex index)
    {
        ((IDisposable)index).Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
