using System.Text.Json.Nodes;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>A fake Qdrant, an HTTP client and a recording clock; creates indexes pointed at the fake.</summary>
internal sealed class QdrantTestHost : IDisposable
{
    private readonly HttpClient _http = new();

    public QdrantTestHost(string version = "1.19.0", string? apiKey = null)
    {
        Server = new FakeQdrantServer(version, apiKey);
    }

    public FakeQdrantServer Server { get; }

    public RecordingTimeProvider Time { get; } = new();

    public QdrantMemoryIndex CreateIndex(Action<QdrantMemoryIndexOptions>? configure = null)
    {
        var options = new QdrantMemoryIndexOptions { Endpoint = Server.Endpoint, CollectionPrefix = "t_" };
        configure?.Invoke(options);
        return new QdrantMemoryIndex(_http, options, timeProvider: Time);
    }

    /// <summary>Gets the recorded requests matching a method and a path suffix, with their JSON bodies.</summary>
    public List<(FakeQdrantServer.RecordedRequest Request, JsonNode? Body)> RequestsTo(string method, string pathSuffix) =>
        Server.Requests
            .Where(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal))
            .Select(r => (r, string.IsNullOrEmpty(r.Body) ? null : JsonNode.Parse(r.Body)))
            .ToList();

    public void Dispose()
    {
        _http.Dispose();
        Server.Dispose();
        Assert.Empty(Server.ValidationFailures);
    }
}
