using System.Net;
using Grpc.Core;
using LongMemory.Kernel.Qdrant.Fake.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>
/// An in-memory Qdrant (1.19 API) speaking Qdrant's real gRPC protocol on a loopback port chosen by the OS (HTTP/2 without
/// TLS). It implements the calls LongMemory's index makes, validates them as the server does (unknown collection,
/// vector name or dimension, bad filters, API key) and records every call for tests to inspect.
/// </summary>
public sealed class FakeQdrantServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeQdrantState _state;

    private FakeQdrantServer(WebApplication app, FakeQdrantState state, Uri endpoint)
    {
        _app = app;
        _state = state;
        Endpoint = endpoint;
    }

    /// <summary>Gets the gRPC endpoint, for example <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets every call received so far, in order.</summary>
    public IReadOnlyList<RecordedCall> Calls => _state.Calls;

    /// <summary>Gets the names of the collections that exist.</summary>
    public IReadOnlyList<string> CollectionNames
    {
        get
        {
            lock (_state.Gate)
            {
                return [.. _state.Collections.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Starts a fake server.</summary>
    /// <param name="apiKey">The API key every call must carry, or <see langword="null"/> for an open server.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The started server.</returns>
    public static async Task<FakeQdrantServer> StartAsync(string? apiKey = null, CancellationToken cancellationToken = default)
    {
        var state = new FakeQdrantState(apiKey);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(FakeQdrantServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<FakeInterceptor>();
            grpc.MaxReceiveMessageSize = 64 * 1024 * 1024;
        });

        var app = builder.Build();
        app.MapGrpcService<FakeCollectionsService>();
        app.MapGrpcService<FakePointsService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeQdrantServer(app, state, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/"));
    }

    /// <summary>Gets the calls of one method, for example <c>Points/Upsert</c>.</summary>
    /// <param name="method">The service and method.</param>
    /// <returns>The calls, in order.</returns>
    public IReadOnlyList<RecordedCall> CallsTo(string method) => [.. Calls.Where(c => c.Method == method)];

    /// <summary>Makes the next call (of any method) fail with a status before the service sees it; queued faults play in order.</summary>
    /// <param name="code">The status code, for example <see cref="StatusCode.Unavailable"/>.</param>
    /// <param name="detail">The status detail (Qdrant's error text).</param>
    public void FailNext(StatusCode code, string detail) => _state.Enqueue(new Status(code, detail));

    /// <summary>Makes the next call hang until the client cancels it (a server that accepted the call and never answers).</summary>
    public void HangNext() => _state.Enqueue(null);

    /// <summary>Stops the server; calls in flight are cancelled.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
