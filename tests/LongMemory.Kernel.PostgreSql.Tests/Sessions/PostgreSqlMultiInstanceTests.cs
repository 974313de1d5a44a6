using System.Globalization;
using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

/// <summary>
/// Two app instances (two processes) working on the same sessions of one database at once: each sends the same turns,
/// reduces the same sessions and indexes from the same outbox.
/// </summary>
[RequiresPostgres]
public sealed class PostgreSqlMultiInstanceTests
{
    private const int Sessions = 3;
    private const int Turns = 12;

    [Fact(Timeout = 240_000)]
    public async Task TwoProcesses_SameSessionsAtOnce_EachTurnStoredOnceEachEntryIndexedOnceOneSummaryTree()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(200));
        await using var schema = await TestSchema.CreateAsync();
        await using (var migrate = new PostgreSqlMemoryDatabase(schema.Options()))
        {
            await migrate.MigrateAsync(timeout.Token);
        }

        string[] arguments = ["work", schema.ConnectionString, schema.Name, "alice", Sessions.ToString(CultureInfo.InvariantCulture), Turns.ToString(CultureInfo.InvariantCulture)];
        await using var first = WorkerProcess.Start(arguments);
        await using var second = WorkerProcess.Start(arguments);
        await first.ExpectLineAsync("ready", timeout.Token);
        await second.ExpectLineAsync("ready", timeout.Token);
        await Task.WhenAll(first.SendLineAsync("go"), second.SendLineAsync("go"));
        await Task.WhenAll(first.ReadToEndAsync(timeout.Token), second.ReadToEndAsync(timeout.Token));
        var exits = await Task.WhenAll(first.WaitForExitAsync(timeout.Token), second.WaitForExitAsync(timeout.Token));
        Assert.True(exits.All(e => e == 0), $"exit codes {string.Join(",", exits)}: {first.Errors}{second.Errors}");
        Assert.Equal("done", first.Transcript[^1]);
        Assert.Equal("done", second.Transcript[^1]);

        await using var database = new PostgreSqlMemoryDatabase(schema.Options());
        var store = new PostgreSqlSessionStore(database);
        var owner = MemoryOwner.User("alice");
        var summaryCount = 0;
        for (var s = 0; s < Sessions; s++)
        {
            var sessionId = "s" + s.ToString(CultureInfo.InvariantCulture);

            // The same turn re-sent by both instances is stored once.
            var messages = await store.GetMessagesAsync(owner, sessionId);
            Assert.Equal(Turns * 2, messages.Count);
            Assert.Equal(Turns * 2, messages.Select(m => m.Content).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(Turns * 2, (await store.GetSessionAsync(owner, sessionId))!.MessageCount);

            // No two summaries of one level cover the same message, and every trimmed message is under one active summary.
            var all = await store.GetSummariesAsync(owner, sessionId, activeOnly: false);
            summaryCount += all.Count;
            foreach (var level in all.GroupBy(x => x.Level))
            {
                var ordered = level.OrderBy(x => x.FirstMessageId).ToList();
                for (var i = 1; i < ordered.Count; i++)
                {
                    Assert.True(ordered[i].FirstMessageId > ordered[i - 1].LastMessageId, $"{sessionId}: level {level.Key} summaries {ordered[i - 1].Id} and {ordered[i].Id} overlap.");
                }
            }

            var active = all.Where(x => x.IsActive).ToList();
            Assert.NotEmpty(active);
            foreach (var message in messages.Where(m => m.IsTrimmed))
            {
                Assert.Equal(1, active.Count(x => message.Id >= x.FirstMessageId && message.Id <= x.LastMessageId));
            }
        }

        // Each outbox entry was claimed by one instance and completed once; nothing is left behind.
        var claimed = Entries("claimed", first, second);
        var completed = Entries("completed", first, second);
        Assert.Equal(claimed.Count, claimed.Select(e => e.Id).Distinct().Count());
        Assert.Equal(completed.Count, completed.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Sessions * Turns * 2, completed.Count(e => e.Kind == "Message"));
        Assert.Equal(summaryCount, completed.Count(e => e.Kind == "Summary"));
        Assert.True(Entries("completed", first).Count > 0 && Entries("completed", second).Count > 0, "both instances indexed");
        Assert.Equal(0, (await store.GetIndexStatusAsync(owner)).Pending);
    }

    private static List<(long Id, string Kind)> Entries(string what, params ChildHostProcess[] workers)
        => workers.SelectMany(w => w.Transcript)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 3 && parts[0] == what)
            .Select(parts => (long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]))
            .ToList();
}
