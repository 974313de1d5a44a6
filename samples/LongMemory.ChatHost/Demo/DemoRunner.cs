using System.Diagnostics;
using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Offline;
using LongMemory.Kernel;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Demo;

/// <summary>
/// Replays the scripted conversation through <see cref="LongMemoryChatClient"/> over an
/// <see cref="OfflineRecallChatClient"/> that records each prompt, and checks, for every question about an earlier fact,
/// whether the fact's text was in the prompt the model received.
/// </summary>
internal static class DemoRunner
{
    /// <summary>Runs the demo.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="progress">Receives progress after each turn.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The report.</returns>
    public static async Task<DemoReport> RunAsync(DemoRunOptions options, IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        var facts = options.Facts.ToDictionary(f => f.Id, StringComparer.Ordinal);
        foreach (var step in options.Steps)
        {
            foreach (var id in new[] { step.States, step.Asks })
            {
                if (id is not null && !facts.ContainsKey(id))
                {
                    throw new InvalidOperationException($"The script refers to an unknown fact '{id}'.");
                }
            }
        }

        await using var memory = MemoryFactory.Create(options.DatabasePath, options.MaxContextTokens, options.ReservedOutputTokens);
        await memory.StartAsync(cancellationToken).ConfigureAwait(false);
        using var inner = new OfflineRecallChatClient();
        using var client = new LongMemoryChatClient(inner, memory, new LongMemoryChatClientOptions { UserId = options.User });

        var report = new DemoReport();
        var sessions = new Dictionary<int, string>();
        var statedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        var userScope = MemoryScope.ForUser(options.User);
        var maxLevel = 0;
        var trimmedTurns = 0;
        for (var i = 0; i < options.Steps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = options.Steps[i];
            var turn = i + 1;
            if (!sessions.TryGetValue(step.Session, out var sessionId))
            {
                var title = step.Session < DemoScript.SessionTitles.Count ? DemoScript.SessionTitles[step.Session] : $"Session {step.Session + 1}";
                sessionId = (await memory.CreateSessionAsync(options.User, title, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
                sessions[step.Session] = sessionId;
            }

            var response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.User, step.Text)],
                new ChatOptions { ConversationId = sessionId },
                cancellationToken).ConfigureAwait(false);
            var context = response.AdditionalProperties?.TryGetValue(ContextReport.AdditionalPropertiesKey, out var value) == true && value is ContextReport r
                ? r
                : throw new InvalidOperationException("The memory client returned no context report.");

            // Measure the prompt the model actually received, independently of the engine's own report.
            var promptTokens = memory.TokenCounter.CountTokens(inner.LastPrompt);
            var summaries = await memory.ForScope(new MemoryScope(userScope.UserId, sessionId)).GetSummariesAsync(activeOnly: true, cancellationToken).ConfigureAwait(false);
            var level = summaries.Count == 0 ? 0 : summaries.Max(s => s.Level);
            maxLevel = Math.Max(maxLevel, level);
            var knowledge = await memory.ForScope(userScope).GetKnowledgeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            trimmedTurns += context.ContextTrimmed ? 1 : 0;
            report.Turns.Add(new DemoTurnRecord
            {
                Turn = turn,
                Session = step.Session + 1,
                PromptTokens = promptTokens,
                Budget = context.Budget,
                TrimmedMessages = context.TrimmedCount,
                SummaryLevels = level,
                KnowledgeCount = knowledge.Count,
            });

            if (step.States is { } stated)
            {
                statedAt[stated] = turn;
            }

            if (step.Asks is { } asked)
            {
                var fact = facts[asked];
                var foundIn = FindInPrompt(inner.LastView!, fact.Expected);
                report.Checks.Add(new DemoCheckRecord
                {
                    Fact = fact.Description + ": " + fact.Expected,
                    StatedAtTurn = statedAt.TryGetValue(asked, out var at) ? at : 0,
                    AskedAtTurn = turn,
                    Recalled = foundIn.Count > 0,
                    FoundIn = foundIn,
                });
            }

            progress?.Report(new DemoProgress(turn, options.Steps.Count, step.Session + 1));
        }

        var stored = 0;
        foreach (var sessionId in sessions.Values)
        {
            stored += (await memory.ForScope(new MemoryScope(userScope.UserId, sessionId)).GetSessionAsync(cancellationToken).ConfigureAwait(false))?.MessageCount ?? 0;
        }

        watch.Stop();
        report.Summary = new DemoSummary
        {
            Turns = report.Turns.Count,
            Sessions = sessions.Count,
            ChecksRecalled = report.Checks.Count(c => c.Recalled),
            ChecksTotal = report.Checks.Count,
            MaxPromptTokens = report.Turns.Count == 0 ? 0 : report.Turns.Max(t => t.PromptTokens),
            Budget = report.Turns.Count == 0 ? 0 : report.Turns[0].Budget,
            MaxContextTokens = options.MaxContextTokens,
            TurnsOverBudget = report.Turns.Count(t => t.PromptTokens > t.Budget),
            TurnsTrimmed = trimmedTurns,
            MaxSummaryLevel = maxLevel,
            MessagesStored = stored,
            WallMilliseconds = watch.ElapsedMilliseconds,
            Database = options.DatabasePath,
        };
        return report;
    }

    /// <summary>Names the parts of a prompt that hold a text (case-insensitive), the question itself excluded.</summary>
    /// <param name="view">The prompt.</param>
    /// <param name="expected">The text.</param>
    /// <returns>The block labels, and "recent turns" when a verbatim recent message holds it.</returns>
    internal static List<string> FindInPrompt(PromptView view, string expected)
    {
        var found = new List<string>();
        foreach (var block in view.Blocks)
        {
            if (block.Items.Any(item => item.Text.Contains(expected, StringComparison.OrdinalIgnoreCase)) && !found.Contains(block.Label))
            {
                found.Add(block.Label);
            }
        }

        if (view.RecentTurns.Any(m => m.Text.Contains(expected, StringComparison.OrdinalIgnoreCase)))
        {
            found.Add("recent turns");
        }

        return found;
    }
}
