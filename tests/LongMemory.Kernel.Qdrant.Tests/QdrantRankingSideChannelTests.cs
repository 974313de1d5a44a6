using LongMemory.Kernel.Qdrant.Fake;
using LongMemory.Kernel.Testing;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Qdrant.Tests;

/// <summary>
/// The ranking side channel of the Qdrant index, measured: the server's IDF modifier counts every point of the
/// collection, all tenants together, so another owner's writes reorder a user's keyword ranking (never its membership:
/// the tenant filter holds). The fake computes Qdrant's formula, <c>ln(1 + (N - n + 0.5) / (n + 0.5))</c>, over the
/// whole collection as the server does. The bound asserted here is the one SECURITY.md states.
/// </summary>
public sealed class QdrantRankingSideChannelTests(ITestOutputHelper output)
{
    private const string Alice = "user:alice";
    private const string Bob = "user:bob";

    /// <summary>
    /// The documented bound: measured with the scenario below (deterministic: fixed seed, the fake's exact formula),
    /// Kendall tau 0.629, 2 of the top 10 replaced by other items of the same owner, largest shift 4 ranks, mean 2.4.
    /// Lower means the channel widened.
    /// </summary>
    private const double MinKendallTau = 0.55;

    [Fact(Timeout = 300_000)]
    public async Task SearchAsync_OtherOwnerWrites3000RowsWithTheQueryWords_OnlyOwnItemsAndBoundedReorder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var server = await FakeQdrantServer.StartAsync(cancellationToken: timeout.Token);
        using var index = new QdrantMemoryIndex(new QdrantMemoryIndexOptions { Endpoint = server.Endpoint, RequestTimeout = TimeSpan.FromSeconds(30), MaxRetries = 1 });
        await index.UpsertAsync(RankingSideChannelScenario.VictimItems(Alice), timeout.Token);
        var request = new MemorySearchRequest(new MemoryFilter(Alice)) { QueryText = RankingSideChannelScenario.Query, Top = 10 };
        var before = (await index.SearchAsync(request, timeout.Token)).Select(h => h.Item.Id).ToList();
        Assert.Equal(10, before.Count);

        foreach (var batch in RankingSideChannelScenario.AttackerItems(Bob).Chunk(500))
        {
            await index.UpsertAsync(batch, timeout.Token);
        }

        RankingSideChannelScenario.AssertBoundedShift(before, await index.SearchAsync(request, timeout.Token), Alice, MinKendallTau, output);
    }
}
