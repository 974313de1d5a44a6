using System.Collections.Concurrent;

namespace LongMemory.Kernel.Ollama.Tests.Fakes;

/// <summary>Records what a client sends (for a real server, where the fake's own recording is not there).</summary>
public sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler())
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> RequestsTo(string path) => [.. _requests.Where(r => r.Path == path)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        _requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
