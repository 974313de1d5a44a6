using System.Net;

namespace LongMemory.Kernel.Ollama;

/// <summary>
/// The Ollama server refused or failed a request: a non-success status, an <c>{"error": ...}</c> line in the middle of
/// a stream, a timeout, or a server that could not be reached. The message names the endpoint and carries the server's
/// own error text.
/// </summary>
/// <remarks>
/// It derives from <see cref="HttpRequestException"/> so resilience handlers that already treat HTTP failures keep
/// working. <see cref="OperationCanceledException"/> from the caller's token is never wrapped in this type.
/// </remarks>
public sealed class OllamaException : HttpRequestException
{
    /// <summary>Initializes a new instance of the <see cref="OllamaException"/> class.</summary>
    public OllamaException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaException"/> class.</summary>
    /// <param name="message">What failed.</param>
    public OllamaException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaException"/> class.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The transport exception, if any.</param>
    public OllamaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OllamaException"/> class.</summary>
    /// <param name="message">What failed, including the server's own error text.</param>
    /// <param name="statusCode">The HTTP status, or <see langword="null"/> when the failure was not a status (mid-stream error, timeout, connection).</param>
    /// <param name="serverError">The server's error text (the <c>error</c> field of its JSON body, or the raw body).</param>
    /// <param name="endpoint">The URL that was called.</param>
    /// <param name="innerException">The transport exception, if any.</param>
    public OllamaException(string message, HttpStatusCode? statusCode, string? serverError, Uri? endpoint, Exception? innerException = null)
        : base(message, innerException, statusCode)
    {
        ServerError = serverError;
        Endpoint = endpoint;
    }

    /// <summary>Gets the server's own error text, or <see langword="null"/> when the server said nothing (timeout, connection failure).</summary>
    public string? ServerError { get; }

    /// <summary>Gets the URL that was called (for example <c>http://localhost:11434/api/chat</c>).</summary>
    public Uri? Endpoint { get; }

    /// <summary>Gets a value indicating whether the request ran out of time (<see cref="HttpClient.Timeout"/>) rather than being refused.</summary>
    public bool IsTimeout => InnerException is TimeoutException || InnerException?.InnerException is TimeoutException;
}
