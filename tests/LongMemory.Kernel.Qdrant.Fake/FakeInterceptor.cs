using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>Records every call, checks the API key as Qdrant does, and plays queued faults before the service runs.</summary>
internal sealed class FakeInterceptor(FakeQdrantState state) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var apiKey = context.RequestHeaders.GetValue("api-key");
        var method = context.Method.TrimStart('/').Replace("qdrant.", string.Empty, StringComparison.Ordinal);
        state.Record(new RecordedCall(method, apiKey, ((IMessage)request).ToByteArray()));

        if (state.ApiKey is not null)
        {
            if (apiKey is null)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Must provide an API key or an Authorization bearer token"));
            }

            if (apiKey != state.ApiKey)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied, "Invalid api-key"));
            }
        }

        if (state.TryTakeFault(out var fault))
        {
            if (fault is null)
            {
                // A server that never answers: wait until the client cancels the call (or the server stops).
                await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new RpcException(fault.Value);
            }
        }

        return await continuation(request, context).ConfigureAwait(false);
    }
}
