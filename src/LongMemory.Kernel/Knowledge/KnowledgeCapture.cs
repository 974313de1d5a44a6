using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// Records facts about the user in the <see cref="IKnowledgeStore"/>: after each summarization round (with the configured
/// extractor) and, when enabled, on every new user message (with the cheap <see cref="PatternFactExtractor"/>).
/// </summary>
/// <remarks>
/// Facts are stored under the scope's owner key with the session and source message, dated by the source message. A value
/// from a newer message supersedes the current one; one from an older message (a reduction round re-reading the start of a
/// conversation) is kept as history only. Within one batch the fact from the latest message wins.
/// </remarks>
public sealed partial class KnowledgeCapture
{
    private readonly IKnowledgeStore _knowledgeStore;
    private readonly IFactExtractor _roundExtractor;
    private readonly PatternFactExtractor _messageExtractor = new();
    private readonly bool _captureOnUserMessage;
    private readonly double _minConfidence;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="KnowledgeCapture"/> class.</summary>
    /// <param name="knowledgeStore">The knowledge store.</param>
    /// <param name="roundExtractor">The extractor run over the messages of each summarization round; a <see cref="PatternFactExtractor"/> when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="KnowledgeCaptureOptions.MinConfidence"/> is outside 0..1.</exception>
    public KnowledgeCapture(IKnowledgeStore knowledgeStore, IFactExtractor? roundExtractor = null, ILoggerFactory? loggerFactory = null, KnowledgeCaptureOptions? options = null)
    {
        _knowledgeStore = Throw.IfNull(knowledgeStore);
        _roundExtractor = roundExtractor ?? _messageExtractor;
        options ??= new KnowledgeCaptureOptions();
        _captureOnUserMessage = options.CaptureOnUserMessage;
        _minConfidence = Throw.IfOutOfRange(options.MinConfidence, 0, 1);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KnowledgeCapture>();
    }

    /// <summary>Extracts facts from the messages of a summarization round and records them.</summary>
    /// <param name="scope">The owner and session.</param>
    /// <param name="messages">The messages that were summarized, oldest first.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of facts that became current (new or changed values; a repeated or older value is not counted).</returns>
    public async Task<int> CaptureAsync(MemoryScope scope, IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNull(messages);
        if (messages.Count == 0)
        {
            return 0;
        }

        var facts = await _roundExtractor.ExtractAsync(messages, cancellationToken).ConfigureAwait(false);
        return await RecordAsync(scope, facts, messages, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Scans one new user message with the pattern extractor and records what it finds (when enabled).</summary>
    /// <param name="scope">The owner and session.</param>
    /// <param name="message">The stored message; other roles are ignored.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of facts recorded.</returns>
    public async Task<int> CaptureUserMessageAsync(MemoryScope scope, StoredMessage message, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(scope);
        Throw.IfNull(message);
        if (!_captureOnUserMessage || message.Role != ChatRole.User)
        {
            return 0;
        }

        var facts = await _messageExtractor.ExtractAsync([message], cancellationToken).ConfigureAwait(false);
        return await RecordAsync(scope, facts, [message], cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RecordAsync(MemoryScope scope, IReadOnlyList<ExtractedFact> facts, IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken)
    {
        var times = messages.ToDictionary(m => m.Id, m => m.CreatedAt);

        // Latest source wins within the batch; stored in source order so a later value supersedes an earlier one.
        var latest = facts
            .Where(f => f.Confidence >= _minConfidence)
            .Select((fact, index) => (fact, index))
            .GroupBy(x => x.fact.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(x => x.fact.SourceMessageId ?? long.MaxValue).ThenBy(x => x.index).Last().fact)
            .OrderBy(f => f.SourceMessageId ?? long.MaxValue)
            .ToList();

        // A fact without a known source message is dated by the newest message of the batch (it cannot be newer), so an
        // unattributed fact from old messages never supersedes what a later message said.
        var newest = messages.Select(m => m.CreatedAt).Where(t => t != default).DefaultIfEmpty(DateTimeOffset.UtcNow).Max();
        var recorded = 0;
        foreach (var fact in latest)
        {
            var validFrom = fact.SourceMessageId is { } id && times.TryGetValue(id, out var at) && at != default ? at : newest;
            var before = await _knowledgeStore.GetCurrentAsync(scope.Owner, fact.Key, cancellationToken).ConfigureAwait(false);
            var stored = await _knowledgeStore.UpsertAsync(
                new KnowledgeEntry
                {
                    Owner = scope.Owner,
                    SessionId = scope.SessionId,
                    Key = fact.Key,
                    Value = fact.Value,
                    SourceMessageId = fact.SourceMessageId,
                    Confidence = fact.Confidence,
                    ValidFrom = validFrom,
                },
                cancellationToken).ConfigureAwait(false);
            if (stored.IsCurrent && !before.Any(e => e.Id == stored.Id))
            {
                recorded++;
            }
        }

        LogCaptured(scope.SessionId ?? scope.Owner.Key, facts.Count, recorded);
        return recorded;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Knowledge capture for {Scope}: {Extracted} facts extracted, {Recorded} new or changed.")]
    private partial void LogCaptured(string scope, int extracted, int recorded);
}
