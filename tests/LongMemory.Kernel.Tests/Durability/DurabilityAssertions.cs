using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>Checks a database file and a session's summary structure from a fresh connection.</summary>
internal static class DurabilityAssertions
{
    public static string IntegrityCheck(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        return (string)command.ExecuteScalar()!;
    }

    public static long UserVersion(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Every trimmed message is covered by exactly one active summary chain (active summaries never overlap), and the
    /// prompt carries each active summary at most once. Returns the active summaries for further checks.
    /// </summary>
    public static async Task<IReadOnlyList<ConversationSummary>> AssertOneSummaryChainAsync(ScopedMemory memory, string because)
    {
        var active = (await memory.GetSummariesAsync(activeOnly: true)).OrderBy(s => s.FirstMessageId).ToList();
        for (var i = 1; i < active.Count; i++)
        {
            Assert.True(
                active[i].FirstMessageId > active[i - 1].LastMessageId,
                $"{because}: active summaries {active[i - 1].Id} [{active[i - 1].FirstMessageId}..{active[i - 1].LastMessageId}] and {active[i].Id} [{active[i].FirstMessageId}..{active[i].LastMessageId}] overlap ({active.Count} active).");
        }

        var messages = await memory.GetMessagesAsync();
        foreach (var message in messages.Where(m => m.IsTrimmed))
        {
            var covering = active.Count(s => message.Id >= s.FirstMessageId && message.Id <= s.LastMessageId);
            Assert.True(covering == 1, $"{because}: trimmed message {message.Id} is covered by {covering} active summaries.");
        }

        // The prompt's summary block holds each active summary at most once and nothing else (no second tree).
        var context = await memory.AssembleContextAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "What did we talk about?")]);
        var inBlock = context.Report.IncludedItems.Where(i => i.Block == ContextBlockKind.Summary).Select(i => i.Id).ToList();
        Assert.True(inBlock.Count == inBlock.Distinct(StringComparer.Ordinal).Count(), $"{because}: the summary block repeats a summary: {string.Join(", ", inBlock)}");
        var activeIds = active.Select(s => "summary:" + s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        Assert.True(inBlock.All(activeIds.Contains), $"{because}: the summary block holds inactive summaries: {string.Join(", ", inBlock.Where(i => !activeIds.Contains(i)))}");

        return active;
    }
}
