using System.Globalization;
using LongMemory.Kernel.Testing;
using LongMemory.Kernel.Tests.Memory;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>
/// Attack family: the ranking side channel. Keyword statistics that count every owner's rows (FTS5's table-wide IDF and
/// average length in bm25(), and the document frequencies that drop common words from a query) let another owner's
/// writes reorder a user's recall: measured at 212b53f with the scenario below, Kendall tau 0.511, 1 of 10 items replaced,
/// largest shift 4 ranks. The SQLite index now ranks with the searching owner's statistics only (schema migration 7),
/// so the same scenario must leave the user's recall exactly as it was. Measured end to end through
/// <see cref="ScopedMemory.RecallAsync"/> (keyword and vector fused, hashing embedder, fixed seed).
/// </summary>
public class RankingSideChannelTests(ITestOutputHelper output)
{
    [Fact(Timeout = 300_000)]
    public async Task RecallAsync_OtherOwnerWrites3000RowsWithTheQueryWords_SameHitsOrderAndScores()
    {
        await using var test = new TestMemory();
        var memory = test.Memory;
        await memory.CreateSessionAsync("alice", "alice", "a-1");
        var alice = memory.ForScope(MemoryScope.For("alice", "a-1"));
        var texts = RankingSideChannelScenario.VictimTexts();
        for (var batch = 0; batch < 4; batch++)
        {
            await alice.AddMessagesAsync(Enumerable.Range(batch * 10, 10).Select(n => new ChatMessage(n % 2 == 0 ? ChatRole.User : ChatRole.Assistant, texts[n])).ToList());
        }

        var options = new RecallOptions { TopK = 10, AcrossSessions = false };
        var beforeHits = await alice.RecallAsync(RankingSideChannelScenario.Query, options);
        var before = beforeHits.Select(h => h.MessageId!.Value).ToList();
        Assert.Equal(10, before.Count);

        await memory.CreateSessionAsync("bob", "bob", "b-1");
        var bob = memory.ForScope(MemoryScope.For("bob", "b-1"));
        for (var batch = 0; batch < RankingSideChannelScenario.AttackerTexts / 100; batch++)
        {
            await bob.AddMessagesAsync(Enumerable.Range(batch * 100, 100).Select(i => new ChatMessage(ChatRole.User, RankingSideChannelScenario.AttackerText(i))).ToList());
        }

        var afterHits = await alice.RecallAsync(RankingSideChannelScenario.Query, options);
        var after = afterHits.Select(h => h.MessageId!.Value).ToList();

        Assert.All(afterHits, h => Assert.Equal("a-1", h.Item.SessionId));
        Assert.All(afterHits, h => Assert.Contains("alice", h.Text, StringComparison.Ordinal));
        Assert.All(afterHits, h => Assert.DoesNotContain("bob", h.Text, StringComparison.Ordinal));
        var tau = RankingSideChannelScenario.KendallTau(before, after);
        output.WriteLine($"before: {string.Join(",", before)}");
        output.WriteLine($"after:  {string.Join(",", after)}");
        output.WriteLine(RankingSideChannelScenario.DescribeShift(before, after));
        Assert.Equal(1.0, tau);
        Assert.Equal(Describe(beforeHits), Describe(afterHits));
    }

    private static List<string> Describe(IReadOnlyList<RecallHit> hits) =>
        hits.Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.MessageId} {h.Score:R} {h.KeywordRank} {h.VectorSimilarity:R}")).ToList();
}
