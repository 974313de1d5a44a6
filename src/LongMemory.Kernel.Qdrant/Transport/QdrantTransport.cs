using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Transport;

/// <summary>
/// The gRPC channel, the official <see cref="QdrantClient"/> over it, and the Polly pipeline every call runs through:
/// retries with exponential back-off and jitter, then a timeout per attempt, both on one <see cref="TimeProvider"/>.
/// Failures leave as <see cref="LongMemoryStoreException"/>; cancellation by the caller stays an
/// <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class QdrantTransport : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _timeout;

    public QdrantTransport(QdrantMemoryIndexOptions options, TimeProvider timeProvider)
    {
        _timeout = options.RequestTimeout;
        _channel = GrpcChannel.ForAddress(options.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // Long-lived HTTP/2 connections: pings find a dead peer, several connections lift the stream limit.
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                EnableMultipleHttp2Connections = true,
            },
            DisposeHttpClient = true,
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });

        var invoker = _channel.CreateCallInvoker();
        if (options.ApiKey is { } apiKey)
        {
            // Metadata rather than call credentials: gRPC refuses call credentials on a plain-text (h2c) channel.
            invoker = invoker.Intercept(metadata =>
            {
                metadata.Add("api-key", apiKey);
                return metadata;
            });
        }

        Client = new QdrantClient(new QdrantGrpcClient(invoker));
        _pipeline = BuildPipeline(options, timeProvider);
    }

    /// <summary>Gets the official client; call it only through <see cref="CallAsync{T}"/>.</summary>
    public QdrantClient Client { get; }

    /// <summary>Builds the retry and timeout pipeline of the options.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="timeProvider">The clock of back-off delays and attempt timeouts.</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipeline BuildPipeline(QdrantMemoryIndexOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = new PredicateBuilder()
                    .Handle<RpcException>(IsTransient)
                    .Handle<TimeoutRejectedException>(),
            });
        }

        return builder.AddTimeout(options.RequestTimeout).Build();
    }

    /// <summary>Gets whether a failed call may succeed when sent again.</summary>
    /// <param name="error">The failure.</param>
    /// <returns><see langword="true"/> for a server that is down, overloaded or too slow this time.</returns>
    public static bool IsTransient(RpcException error) =>
        error.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded;

    /// <summary>Runs one Qdrant call through the pipeline.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">What the call does, for the error message ("count", "upsert").</param>
    /// <param name="collection">The Qdrant collection, for the error message.</param>
    /// <param name="call">The call.</param>
    /// <param name="missingCollection">When not <see langword="null"/>, a <c>NOT_FOUND</c> (no such collection) returns this.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result.</returns>
    public async Task<T> CallAsync<T>(string operation, string collection, Func<QdrantClient, CancellationToken, Task<T>> call, Func<T>? missingCollection, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async token => await call(Client, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && missingCollection is not null)
        {
            return missingCollection();
        }
        catch (RpcException ex)
        {
            throw new LongMemoryStoreException($"Qdrant {operation} on collection '{collection}' failed with {ex.StatusCode}: {ex.Status.Detail}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new LongMemoryStoreException($"Qdrant {operation} on collection '{collection}' timed out: no answer within {_timeout} (RequestTimeout).", ex);
        }
        catch (QdrantException ex)
        {
            throw new LongMemoryStoreException($"Qdrant {operation} on collection '{collection}' failed: {ex.Message}", ex);
        }
    }

    /// <summary>Runs one Qdrant call that returns nothing through the pipeline.</summary>
    /// <param name="operation">What the call does.</param>
    /// <param name="collection">The Qdrant collection.</param>
    /// <param name="call">The call.</param>
    /// <param name="ignoreMissingCollection">Whether a missing collection is not an error.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>A task.</returns>
    public Task CallAsync(string operation, string collection, Func<QdrantClient, CancellationToken, Task> call, bool ignoreMissingCollection, CancellationToken cancellationToken) =>
        CallAsync(operation, collection, async (client, token) =>
        {
            await call(client, token).ConfigureAwait(false);
            return true;
        }, ignoreMissingCollection ? () => false : null, cancellationToken);

    public void Dispose()
    {
        Client.Dispose();
        _channel.Dispose();
    }
}
