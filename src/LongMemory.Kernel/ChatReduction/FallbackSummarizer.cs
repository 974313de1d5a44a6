using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// Uses a primary summarizer (typically a <see cref="ChatClientSummarizer"/>) and, when it fails, a fallback
/// (typically an <see cref="ExtractiveSummarizer"/>), so reduction keeps the prompt within budget while the model is down.
/// </summary>
/// <remarks>
/// Use the primary summarizer alone to surface model errors instead. Cancellation is never treated as a failure.
/// </remarks>
public sealed partial class FallbackSummarizer : ISummarizer
{
    private readonly ISummarizer _primary;
    private readonly ISummarizer _fallback;
    private readonly ILogger _logger;
    private long _fallbackCount;

    /// <summary>Initializes a new instance of the <see cref="FallbackSummarizer"/> class.</summary>
    /// <param name="primary">The summarizer tried first.</param>
    /// <param name="fallback">The summarizer used when the primary throws.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public FallbackSummarizer(ISummarizer primary, ISummarizer fallback, ILoggerFactory? loggerFactory = null)
    {
        _primary = Throw.IfNull(primary);
        _fallback = Throw.IfNull(fallback);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FallbackSummarizer>();
    }

    /// <summary>Gets how many summaries the fallback has produced so far.</summary>
    public long FallbackCount => Interlocked.Read(ref _fallbackCount);

    /// <inheritdoc />
    public async Task<string> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(request);
        try
        {
            var summary = await _primary.SummarizeAsync(request, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(summary))
            {
                return summary;
            }

            LogFallback(request.Level, "EmptySummary");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFallback(request.Level, ex.GetType().Name);
        }

        Interlocked.Increment(ref _fallbackCount);
        return await _fallback.SummarizeAsync(request, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Primary summarizer failed for a level {Level} summary ({Error}); using the fallback summarizer.")]
    private partial void LogFallback(int level, string error);
}
