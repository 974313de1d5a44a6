using Grpc.Core;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>The errors Qdrant 1.19 answers with over gRPC: status codes and message texts as the server words them.</summary>
internal static class QdrantErrors
{
    public static RpcException CollectionNotFound(string name) =>
        new(new Status(StatusCode.NotFound, $"Not found: Collection `{name}` doesn't exist!"));

    public static RpcException CollectionExists(string name) =>
        new(new Status(StatusCode.AlreadyExists, $"Wrong input: Collection `{name}` already exists!"));

    public static RpcException VectorNameMissing(string name) =>
        new(new Status(StatusCode.InvalidArgument, $"Wrong input: Not existing vector name error: {name}"));

    public static RpcException Dimension(int expected, int got) =>
        new(new Status(StatusCode.InvalidArgument, $"Wrong input: Vector dimension error: expected dim: {expected}, got {got}"));

    public static RpcException WrongInput(string message) =>
        new(new Status(StatusCode.InvalidArgument, "Wrong input: " + message));

    public static RpcException BadRequest(string message) =>
        new(new Status(StatusCode.InvalidArgument, "Bad request: " + message));

    /// <summary>A request the real server would serve but this fake does not model; never silently ignored.</summary>
    public static RpcException NotModelled(string what) =>
        new(new Status(StatusCode.Unimplemented, $"The fake Qdrant does not model {what}."));
}
