using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// Brings trimmed messages back into a stored session's live context, verbatim: by id, or every message a summary covers.
/// </summary>
/// <remarks>
/// Restoring un-trims messages; it does not delete or supersede the summary that covers them. The next reduction round
/// trims restored messages again without summarizing them again, so a restore costs no model call either way.
/// A function call and its results are restored together, so the live context never holds half a tool call.
/// </remarks>
public sealed partial class ConversationRestorer
{
    private readonly IMessageStore _messages;
    private readonly ISummaryStore _summaries;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ConversationRestorer"/> class.</summary>
    /// <param name="messageStore">The message store (store-backed mode; with <paramref name="summaryStore"/>).</param>
    /// <param name="summaryStore">The summary store (store-backed mode; with <paramref name="messageStore"/>).</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public ConversationRestorer(IMessageStore messageStore, ISummaryStore summaryStore, ILoggerFactory? loggerFactory = null)
    {
        _messages = Throw.IfNull(messageStore);
        _summaries = Throw.IfNull(summaryStore);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ConversationRestorer>();
    }

    /// <summary>Restores trimmed messages of a session by id (ids of other sessions are ignored).</summary>
    /// <param name="scope">The session (and its user).</param>
    /// <param name="messageIds">The ids of the messages to restore.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages that were trimmed and are live again, in id order (with their tool-call partners).</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist or belongs to another user.</exception>
    public async Task<IReadOnlyList<StoredMessage>> RestoreAsync(MemoryScope scope, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messageIds);
        var (owner, sessionId) = SessionOf(scope);
        if (messageIds.Count == 0)
        {
            return [];
        }

        var requested = await _messages.GetMessagesByIdAsync(owner, sessionId, messageIds.Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        if (requested.Any(m => m.ContentsJson is not null))
        {
            requested = await WithToolPartnersAsync(owner, sessionId, requested, cancellationToken).ConfigureAwait(false);
        }

        return await UntrimAsync(owner, sessionId, requested, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restores every trimmed message a summary covers (for level 2 and above, the whole covered range).</summary>
    /// <param name="scope">The session (and its user).</param>
    /// <param name="summaryId">The summary id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages that were trimmed and are live again, in id order.</returns>
    /// <exception cref="SessionNotFoundException">The session does not exist or belongs to another user.</exception>
    /// <exception cref="KeyNotFoundException">The session has no summary with that id.</exception>
    public async Task<IReadOnlyList<StoredMessage>> RestoreSummaryAsync(MemoryScope scope, long summaryId, CancellationToken cancellationToken = default)
    {
        var (owner, sessionId) = SessionOf(scope);
        var summary = await _summaries.GetSummaryAsync(owner, sessionId, summaryId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Session '{sessionId}' has no summary {summaryId}.");

        var covered = await _messages.GetMessagesAsync(owner, sessionId, new MessageQuery { AfterId = summary.FirstMessageId - 1 }, cancellationToken).ConfigureAwait(false);
        return await UntrimAsync(owner, sessionId, covered.Where(m => m.Id <= summary.LastMessageId).ToList(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<StoredMessage>> UntrimAsync(MemoryOwner owner, string sessionId, IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken)
    {
        var trimmed = messages.Where(m => m.IsTrimmed).OrderBy(m => m.Id).ToList();
        if (trimmed.Count == 0)
        {
            return [];
        }

        await _messages.SetTrimmedAsync(owner, sessionId, trimmed.Select(m => m.Id).ToList(), trimmed: false, cancellationToken).ConfigureAwait(false);
        foreach (var message in trimmed)
        {
            message.IsTrimmed = false;
        }

        LogRestored(sessionId, trimmed.Count);
        return trimmed;
    }

    // Rare path (a restored message carries tool contents): read the session once and add the rest of each tool group.
    private async Task<IReadOnlyList<StoredMessage>> WithToolPartnersAsync(MemoryOwner owner, string sessionId, IReadOnlyList<StoredMessage> requested, CancellationToken cancellationToken)
    {
        var all = await _messages.GetMessagesAsync(owner, sessionId, null, cancellationToken).ConfigureAwait(false);
        var starts = ToolCallGroups.GroupStarts(all.Select(StoredMessageMapper.ToChatMessage).ToList());
        var wanted = requested.Select(m => m.Id).ToHashSet();
        var result = new List<StoredMessage>();
        for (var g = 0; g < starts.Count; g++)
        {
            var end = g + 1 < starts.Count ? starts[g + 1] : all.Count;
            var group = all.Skip(starts[g]).Take(end - starts[g]).ToList();
            if (group.Any(m => wanted.Contains(m.Id)))
            {
                result.AddRange(group);
            }
        }

        return result;
    }

    private static (MemoryOwner Owner, string SessionId) SessionOf(MemoryScope scope)
    {
        Throw.IfNull(scope);
        return (scope.Owner, scope.SessionId ?? throw new ArgumentException("The scope must name a session.", nameof(scope)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Count} trimmed messages of session {SessionId}.")]
    private partial void LogRestored(string sessionId, int count);
}
