using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Builds the prompt for a turn inside <see cref="ContextOptions.PromptBudget"/>: the app's system messages and
    /// instructions, knowledge, model memory, relevant past conversation, document context, the running summary,
    /// restored messages, recent turns and the new messages, with a <see cref="ContextReport"/>. Nothing is stored;
    /// new messages already recorded with <see cref="AddMessagesAsync"/> are recognised and not repeated.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="newMessages">The new message(s) of the turn (never cut).</param>
    /// <param name="systemMessages">The app's system messages, placed first.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The prompt and its report.</returns>
    /// <exception cref="ContextBudgetExceededException">The new messages and instructions alone exceed the budget.</exception>
    internal async Task<AssembledContext> AssembleContextAsync(MemoryScope scope, IReadOnlyList<ChatMessage> newMessages, IReadOnlyList<ChatMessage>? systemMessages = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(newMessages);
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var tail = await Messages.GetMessagesAsync(scope.Owner, session.Id, new MessageQuery { Newest = true, Take = newMessages.Count, IncludeTrimmed = false }, cancellationToken).ConfigureAwait(false);
        var alreadyStored = tail.Count == newMessages.Count
            && tail.Select(StoredMessageMapper.Fingerprint).SequenceEqual(newMessages.Select(StoredMessageMapper.Fingerprint), StringComparer.Ordinal);
        var excluded = alreadyStored ? tail.Select(m => m.Id).ToHashSet() : [];
        var context = await Assembler.AssembleAsync(session, scope, systemMessages ?? [], newMessages, excluded, 0, false, cancellationToken).ConfigureAwait(false);
        context.Report.Indexing = await Outbox.GetIndexStatusAsync(scope.Owner, session.Id, cancellationToken).ConfigureAwait(false);
        return context;
    }

    /// <summary>Runs one turn's memory work for the chat client: reduce when triggered, then assemble.</summary>
    internal async Task<AssembledContext> PrepareTurnAsync(MemoryScope scope, IReadOnlyList<ChatMessage> systemMessages, IReadOnlyList<ChatMessage> newMessages, IReadOnlyList<StoredMessage> storedNew, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var reduction = await ReduceIfNeededAsync(scope, cancellationToken).ConfigureAwait(false);
        var reduceMs = watch.Elapsed.TotalMilliseconds;
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var context = await Assembler.AssembleAsync(session, scope, systemMessages, newMessages, storedNew.Select(m => m.Id).ToHashSet(), reduction.SummariesCreated > 0 ? reduceMs : 0, reduction.SummariesCreated > 0, cancellationToken).ConfigureAwait(false);
        context.Report.Indexing = await Outbox.GetIndexStatusAsync(scope.Owner, session.Id, cancellationToken).ConfigureAwait(false);
        return context;
    }
}
