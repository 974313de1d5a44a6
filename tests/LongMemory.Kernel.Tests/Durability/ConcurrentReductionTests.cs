using LongMemory.Kernel.Tests.ChatReduction;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>Two instances (or two processes) reducing one session must not build two summary trees over the same messages.</summary>
public sealed class ConcurrentReductionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lm-reduce-" + Guid.NewGuid().ToString("N"));

    public ConcurrentReductionTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task ReduceIfNeededAsync_TwoInstancesOnOneFileAtOnce_EveryMessageCoveredByOneSummaryChain()
    {
        const int Trials = 15;
        var created = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var path = Path.Combine(_folder, $"trial-{trial}.db");
            var scope = new MemoryScope("alice", "s1");

            // Both instances plan from the same state: each one's first summarizer call waits until the other has
            // planned too, so the two plans are computed before either is stored (the race, made certain).
            var rendezvous = new Rendezvous(2);
            await using (var seed = Build(path, new ExtractiveSummarizer(new WordTokenCounter())))
            {
                await seed.GetOrCreateSessionAsync(scope);
                await seed.ForScope(scope).AddMessagesAsync(Turns(60));
            }

            await using var first = Build(path, new RendezvousSummarizer(rendezvous));
            await using var second = Build(path, new RendezvousSummarizer(rendezvous));
            await first.StartAsync();
            await second.StartAsync();

            var results = await Task.WhenAll(
                Task.Run(() => first.ForScope(scope).ReduceIfNeededAsync()),
                Task.Run(() => second.ForScope(scope).ReduceIfNeededAsync()));
            created += results.Sum(r => r.SummariesCreated);

            await using var check = Build(path, new ExtractiveSummarizer(new WordTokenCounter()));
            var active = await DurabilityAssertions.AssertOneSummaryChainAsync(check.ForScope(scope), $"trial {trial}");
            Assert.NotEmpty(active);
            Assert.Equal("ok", DurabilityAssertions.IntegrityCheck(path));
        }

        Assert.True(created > 0);
    }

    [Fact(Timeout = 180_000)]
    public async Task SummarizeOldestAsync_TwoProcessesOnOneFileAtOnce_EveryMessageCoveredByOneSummaryChain()
    {
        const int Trials = 4;
        for (var trial = 0; trial < Trials; trial++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            var path = Path.Combine(_folder, $"process-trial-{trial}.db");
            var scope = new MemoryScope("alice", "s1");
            await using (var seed = Build(path, new ExtractiveSummarizer(new WordTokenCounter())))
            {
                await seed.GetOrCreateSessionAsync(scope);
                await seed.ForScope(scope).AddMessagesAsync(Turns(80));
            }

            await using var a = CrashHostProcess.Start("reduce", path, "alice", "s1", "8");
            await using var b = CrashHostProcess.Start("reduce", path, "alice", "s1", "8");
            await a.ExpectLineAsync("ready", timeout.Token);
            await b.ExpectLineAsync("ready", timeout.Token);
            await Task.WhenAll(a.SendLineAsync("go"), b.SendLineAsync("go"));
            var exits = await Task.WhenAll(a.WaitForExitAsync(timeout.Token), b.WaitForExitAsync(timeout.Token));
            Assert.True(exits.All(e => e == 0), $"trial {trial}: exit codes {string.Join(",", exits)}: {a.Errors}{b.Errors}");

            await using var check = Build(path, new ExtractiveSummarizer(new WordTokenCounter()));
            var active = await DurabilityAssertions.AssertOneSummaryChainAsync(check.ForScope(scope), $"process trial {trial}");
            Assert.NotEmpty(active);
            Assert.Equal("ok", DurabilityAssertions.IntegrityCheck(path));
        }
    }

    internal static ChatMessage[] Turns(int count)
        => Enumerable.Range(0, count)
            .Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"Turn {i}: we talked about topic number {i} and its details at some length.") { MessageId = "t" + i })
            .ToArray();

    private static ChatMemory Build(string path, ISummarizer summarizer)
        => new ChatMemoryBuilder()
            .UseSqlite(path)
            .UseTokenCounter(new WordTokenCounter())
            .UseSummarizer(summarizer)
            .Configure(o =>
            {
                o.Reduction.MaxLiveMessages = 10;
                o.Reduction.BlockSize = 5;
                o.Reduction.FanIn = 2;
            })
            .Build();

    /// <summary>Releases everyone once <c>count</c> parties have arrived (each party arrives once; later calls pass).</summary>
    private sealed class Rendezvous(int count)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) >= count)
            {
                _all.TrySetResult();
            }

            return _all.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    private sealed class RendezvousSummarizer(Rendezvous rendezvous) : ISummarizer
    {
        private readonly ExtractiveSummarizer _inner = new(new WordTokenCounter());
        private int _calls;

        public async Task<string> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                await rendezvous.ArriveAsync(cancellationToken);
            }

            return await _inner.SummarizeAsync(request, cancellationToken);
        }
    }
}
