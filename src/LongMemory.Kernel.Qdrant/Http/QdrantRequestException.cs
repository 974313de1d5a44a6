using System.Net;

namespace LongMemory.Kernel.Qdrant.Http;

/// <summary>Qdrant answered with an error status; the message carries Qdrant's own <c>status.error</c> text.</summary>
internal sealed class QdrantRequestException : LongMemoryStoreException
{
    public QdrantRequestException(string message, HttpStatusCode statusCode, string? qdrantError)
        : base(message)
    {
        StatusCode = statusCode;
        QdrantError = qdrantError;
    }

    public HttpStatusCode StatusCode { get; }

    public string? QdrantError { get; }

    /// <summary>Gets a value indicating whether the collection the request named does not exist.</summary>
    public bool IsMissingCollection => StatusCode == HttpStatusCode.NotFound &&
        QdrantError is not null && QdrantError.Contains("Collection", StringComparison.OrdinalIgnoreCase);
}
