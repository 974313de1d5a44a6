using LongMemory.Kernel.Tests.ChatReduction;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>
/// kill -9 during ingest and during reduction (the crash host as a child process): every acknowledged message is stored
/// exactly once, the file stays intact, and recovery indexes everything.
/// </summary>
public sealed class KillHarnessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lm-kill-" + Guid.NewGuid().ToString("N"));

    public KillHarnessTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 180_000)]
    public async Task AddMessagesAsync_KilledDuringIngest_AcknowledgedMessagesStoredOnceAndIndexedAfterRecovery()
    {
        const int Kills = 10;
        var path = Path.Combine(_folder, "ingest.db");
        var random = new Random(20261201);
        var acknowledged = new List<string>();
        var next = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

            // A restart resends from the first unacknowledged message, as an app retrying its last turn would.
            await using var host = CrashHostProcess.Start("ingest", path, "alice", "s1", next.ToString(System.Globalization.CultureInfo.InvariantCulture), "100000");
            await host.ExpectLineAsync("ready", timeout.Token);
            var stopAfter = random.Next(1, 25);
            for (var seen = 0; seen < stopAfter;)
            {
                var line = await host.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The crash host exited: " + host.Errors);
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acknowledged.Add(line[4..]);
                    seen++;
                }
            }

            await host.KillAsync(timeout.Token);

            // Acks printed before the kill landed count too.
            while (await host.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acknowledged.Add(line[4..]);
                }
            }

            next = int.Parse(acknowledged[^1][1..], System.Globalization.CultureInfo.InvariantCulture) + 1;
        }

        Assert.Equal("ok", DurabilityAssertions.IntegrityCheck(path));
        // The killed process may have died holding claims on outbox entries (a 2-minute lease): recovery runs after they expire.
        await using var memory = new ChatMemoryBuilder().UseSqlite(path).UseTimeProvider(new LeaseExpiredClock()).Build();
        await memory.StartAsync();
        var scope = new MemoryScope("alice", "s1");
        var stored = await memory.ForScope(scope).GetMessagesAsync();
        var byId = stored.GroupBy(m => m.ResponseId ?? "(none)").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var id in acknowledged)
        {
            Assert.True(byId.TryGetValue(id, out var copies) && copies == 1, $"acknowledged message {id} is stored {(byId.TryGetValue(id, out var c) ? c : 0)} times");
        }

        Assert.True(byId.Values.All(c => c == 1), "a message is stored more than once: " + string.Join(", ", byId.Where(p => p.Value > 1).Select(p => p.Key)));
        var status = await memory.GetIndexStatusAsync();
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.Failed);
        Assert.Equal(stored.Count, status.Indexed);
    }

    [Fact(Timeout = 180_000)]
    public async Task SummarizeOldestAsync_KilledDuringReduction_SummaryTreeIntactAndNothingLost()
    {
        const int Kills = 6;
        var path = Path.Combine(_folder, "reduce.db");
        var scope = new MemoryScope("alice", "s1");
        int total;
        await using (var seed = new ChatMemoryBuilder().UseSqlite(path).UseTokenCounter(new WordTokenCounter()).Build())
        {
            await seed.GetOrCreateSessionAsync(scope);
            total = (await seed.ForScope(scope).AddMessagesAsync(ConcurrentReductionTests.Turns(240))).Count;
        }

        var random = new Random(20261202);
        for (var kill = 0; kill < Kills; kill++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var host = CrashHostProcess.Start("reduce", path, "alice", "s1", "1000");
            await host.ExpectLineAsync("ready", timeout.Token);
            await host.SendLineAsync("go");
            var stopAfter = random.Next(0, 4);
            for (var seen = 0; seen < stopAfter; seen++)
            {
                await host.ExpectLineAsync("reduced", timeout.Token);
            }

            await host.KillAsync(timeout.Token);
            Assert.Equal("ok", DurabilityAssertions.IntegrityCheck(path));
        }

        await using var memory = new ChatMemoryBuilder().UseSqlite(path).UseTokenCounter(new WordTokenCounter()).UseTimeProvider(new LeaseExpiredClock()).Build();
        await memory.StartAsync();
        var scoped = memory.ForScope(scope);
        var stored = await scoped.GetMessagesAsync();
        Assert.Equal(total, stored.Count);
        Assert.Equal(total, stored.Select(m => m.ResponseId).Distinct(StringComparer.Ordinal).Count());
        var active = await DurabilityAssertions.AssertOneSummaryChainAsync(scoped, "after the kills");
        Assert.NotEmpty(active);
        var status = await memory.GetIndexStatusAsync();
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.Failed);
    }

    /// <summary>The system clock ten minutes ahead: every claim lease a killed process held has expired.</summary>
    private sealed class LeaseExpiredClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddMinutes(10);
    }
}
