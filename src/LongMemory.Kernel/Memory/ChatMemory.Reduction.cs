using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Reduces the session when it passes the trigger (more than <see cref="HierarchicalChatReducerOptions.MaxLiveMessages"/>
    /// live messages, or more than <see cref="HierarchicalChatReducerOptions.TriggerRatio"/> of the budget): older blocks
    /// become summaries (and summaries of summaries), the covered messages are marked trimmed (never deleted), knowledge
    /// is captured, and the new summaries are indexed. No model call is made below the trigger.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did.</returns>
    internal async Task<ReductionResult> ReduceIfNeededAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await AfterReductionAsync(scope, await Reducer.ReduceSessionAsync(scope, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reduces the session to its target share of the budget now, even below the trigger (on demand or when idle).</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did.</returns>
    internal async Task<ReductionResult> CompactAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await AfterReductionAsync(scope, await Reducer.CompactAsync(scope, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Summarizes the oldest <paramref name="count"/> live messages now (whole tool-call groups only).</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="count">How many messages.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did.</returns>
    internal async Task<ReductionResult> SummarizeOldestAsync(MemoryScope scope, int count, CancellationToken cancellationToken = default)
    {
        Throw.IfLessThan(count, 1);
        await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await AfterReductionAsync(scope, await Reducer.SummarizeOldestAsync(scope, count, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings trimmed messages back into the live context verbatim (until a later round trims them again).</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="messageIds">The message ids (ids of other sessions are ignored).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of messages restored.</returns>
    internal async Task<int> RestoreMessagesAsync(MemoryScope scope, IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messageIds);
        await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return (await Restorer.RestoreAsync(scope, messageIds, cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <summary>Brings back every message a summary covers (for level 2 and above, its whole range).</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="summaryId">The summary id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of messages restored.</returns>
    internal async Task<int> RestoreSummaryAsync(MemoryScope scope, long summaryId, CancellationToken cancellationToken = default)
    {
        await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return (await Restorer.RestoreSummaryAsync(scope, summaryId, cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <summary>Lists the session's summaries (active ones by default), oldest first.</summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="activeOnly">Whether only active summaries are listed.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summaries.</returns>
    internal async Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(MemoryScope scope, bool activeOnly = true, CancellationToken cancellationToken = default)
    {
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return await Summaries.GetSummariesAsync(scope.Owner, session.Id, activeOnly, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a session report from the summaries, the recent messages and the knowledge, through the configured
    /// summarizer (the model when one is configured, else the extractive one), and stores it as a message of type
    /// <see cref="StoredMessageType.Report"/>.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored report message.</returns>
    internal async Task<StoredMessage> GenerateReportAsync(MemoryScope scope, CancellationToken cancellationToken = default)
    {
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var summaries = await Summaries.GetSummariesAsync(scope.Owner, session.Id, activeOnly: true, cancellationToken).ConfigureAwait(false);
        var live = await Messages.GetMessagesAsync(scope.Owner, session.Id, new MessageQuery { IncludeTrimmed = false }, cancellationToken).ConfigureAwait(false);
        var knowledge = await Knowledge.GetCurrentAsync(scope.Owner, null, cancellationToken).ConfigureAwait(false);

        var overview = await Summarizer.SummarizeAsync(
            new SummarizationRequest
            {
                Level = summaries.Count == 0 ? 1 : summaries.Max(s => s.Level) + 1,
                ChildSummaries = summaries.Select(s => s.Content).ToList(),
                Messages = live.Where(m => m.MessageType == StoredMessageType.Chat).Select(StoredMessageMapper.ToChatMessage).ToList(),
                MaxTokens = 400,
            },
            cancellationToken).ConfigureAwait(false);

        var report = new StringBuilder()
            .Append("# Session report: ").AppendLine(session.Title ?? session.Id)
            .Append("Messages: ").Append(session.MessageCount.ToString(CultureInfo.InvariantCulture))
            .Append(", summaries: ").Append(summaries.Count.ToString(CultureInfo.InvariantCulture))
            .Append(", generated ").AppendLine(_time.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
            .AppendLine().AppendLine("## Overview").AppendLine(string.IsNullOrWhiteSpace(overview) ? "(nothing to report yet)" : overview.Trim());
        if (knowledge.Count > 0)
        {
            report.AppendLine().AppendLine("## Known facts");
            foreach (var entry in knowledge.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                report.Append("- ").Append(entry.Key.Replace('_', ' ')).Append(": ").AppendLine(entry.Value);
            }
        }

        var stored = await Messages.AppendMessagesAsync(
            scope.Owner,
            session.Id,
            [new NewMessage { Role = ChatRole.Assistant, Content = report.ToString().TrimEnd(), MessageType = StoredMessageType.Report, TokenCount = TokenCounter.CountTokens(report.ToString()) }],
            cancellationToken).ConfigureAwait(false);

        // Reports are searchable like the conversation, but never replayed as turns (the context skips non-chat types).
        await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        return stored[0];
    }

    private async Task<ReductionResult> AfterReductionAsync(MemoryScope scope, ReductionResult result, CancellationToken cancellationToken)
    {
        if (result.SummariesCreated > 0)
        {
            Log.Reduced(_logger, scope.SessionId!, result.SummariesCreated, result.MessagesTrimmed);
            await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false); // the summaries' outbox entries
        }

        return result;
    }
}
