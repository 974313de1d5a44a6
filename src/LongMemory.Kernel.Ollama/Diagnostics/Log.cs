using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Ollama;

/// <summary>Log messages of this package: counts, ids and timings only; message content never leaves Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Ollama {Method} {Url} answered {StatusCode} after {ElapsedMs:F0} ms.")]
    public static partial void Response(ILogger logger, string method, Uri url, int statusCode, double elapsedMs);

    [LoggerMessage(2, LogLevel.Debug, "Ollama chat with model {Model}: {MessageCount} messages, {ToolCount} tools, streaming {Streaming}.")]
    public static partial void ChatRequest(ILogger logger, string model, int messageCount, int toolCount, bool streaming);

    [LoggerMessage(3, LogLevel.Debug, "Ollama chat with model {Model} finished ({FinishReason}): {InputTokens} prompt tokens, {OutputTokens} output tokens, {ToolCallCount} tool calls.")]
    public static partial void ChatCompleted(ILogger logger, string model, string? finishReason, int? inputTokens, int? outputTokens, int toolCallCount);

    [LoggerMessage(4, LogLevel.Debug, "Ollama embeddings with model {Model}: {InputCount} inputs in {BatchCount} requests.")]
    public static partial void Embedding(ILogger logger, string model, int inputCount, int batchCount);

    [LoggerMessage(5, LogLevel.Trace, "Ollama chat content of the {Role} message: {Content}")]
    public static partial void Content(ILogger logger, string role, string content);

    [LoggerMessage(6, LogLevel.Debug, "Ollama server at {Url} is not available: {Reason}")]
    public static partial void NotAvailable(ILogger logger, Uri url, string reason);
}
