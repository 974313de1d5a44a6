using Google.Protobuf;
using LongMemory.Kernel.Qdrant.Fake;
using Qdrant.Client;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>A fake Qdrant, an observed fake clock and the indexes created against them; disposes all of it.</summary>
internal sealed class QdrantTestHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private QdrantTestHost(FakeQdrantServer server, string? apiKey)
    {
        Server = server;
        ApiKey = apiKey;
    }

    public FakeQdrantServer Server { get; }

    public string? ApiKey { get; }

    public ObservedTimeProvider Time { get; } = new();

    public static async Task<QdrantTestHost> StartAsync(string? apiKey = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return new QdrantTestHost(await FakeQdrantServer.StartAsync(apiKey, timeout.Token), apiKey);
    }

    /// <summary>Creates an index on the fake: prefix <c>t_</c>, no back-off delay (so retries need no clock moves), the observed clock.</summary>
    public QdrantMemoryIndex CreateIndex(Action<QdrantMemoryIndexOptions>? configure = null)
    {
        var options = new QdrantMemoryIndexOptions { Endpoint = Server.Endpoint, ApiKey = ApiKey, CollectionPrefix = "t_", RetryBaseDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        var index = new QdrantMemoryIndex(options, timeProvider: Time);
        _owned.Add(index);
        return index;
    }

    /// <summary>Creates the official client on the fake, to set up or inspect what a test needs beside the index.</summary>
    public QdrantClient CreateClient()
    {
        var client = new QdrantClient(Server.Endpoint, ApiKey);
        _owned.Add(client);
        return client;
    }

    /// <summary>Gets the requests of one method, read back with the official client's message types.</summary>
    public List<T> Requests<T>(string method, MessageParser<T> parser)
        where T : IMessage<T> =>
        Server.CallsTo(method).Select(c => parser.ParseFrom(c.Request)).ToList();

    public async ValueTask DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await Server.DisposeAsync();
    }
}
