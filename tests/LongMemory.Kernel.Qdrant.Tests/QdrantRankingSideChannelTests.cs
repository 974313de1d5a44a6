using System.Globalization;
using LongMemory.Kernel.Qdrant.Fake;
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
    private const string Query = "budget alpha invoice";

    /// <summary>
    /// The documented bound: measured with the scenario below (deterministic: fixed seed, the fake's exact formula),
    /// Kendall tau 0.629, 2 of the top 10 replaced by other items of the same owner, largest shift 4 ranks, mean 2.4.
    /// Lower means the channel widened.
    /// </summary>
    private const double MinKendallTau = 0.55;

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 300_000)]
    public async Task SearchAsync_OtherOwnerWrites3000RowsWithTheQueryWords_OnlyOwnItemsAndBoundedReorder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var server = await FakeQdrantServer.StartAsync(cancellationToken: timeout.Token);
        using var index = new QdrantMemoryIndex(new QdrantMemoryIndexOptions { Endpoint = server.Endpoint, RequestTimeout = TimeSpan.FromSeconds(30), MaxRetries = 1 });
        var random = new Random(42);
        string[] filler = ["meeting", "weather", "garden", "coffee", "train", "holiday", "music", "lunch", "email", "office"];
        var alice = new List<MemoryItem>();
        for (var n = 0; n < 40; n++)
        {
            var words = new List<string> { string.Create(CultureInfo.InvariantCulture, $"alice{n}") };
            words.AddRange(Enumerable.Repeat("budget", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("alpha", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("invoice", random.Next(0, 2)));
            words.AddRange(Enumerable.Range(0, random.Next(2, 12)).Select(_ => filler[random.Next(filler.Length)]));
            alice.Add(Item(Alice, "a" + n.ToString(CultureInfo.InvariantCulture), string.Join(' ', words.OrderBy(_ => random.Next()))));
        }

        await index.UpsertAsync(alice, timeout.Token);
        var request = new MemorySearchRequest(new MemoryFilter(Alice)) { QueryText = Query, Top = 10 };
        var before = (await index.SearchAsync(request, timeout.Token)).Select(h => h.Item.Id).ToList();
        Assert.Equal(10, before.Count);

        var bob = Enumerable.Range(0, 3000).Select(i => Item(Bob, "b" + i.ToString(CultureInfo.InvariantCulture), string.Create(CultureInfo.InvariantCulture,
            $"budget budget budget {(i % 2 == 0 ? "alpha" : "invoice")} line {i} of bob's spreadsheet{(i % 3 == 0 ? " with a long tail of cells rows and columns" : string.Empty)}"))).ToList();
        foreach (var batch in bob.Chunk(500))
        {
            await index.UpsertAsync(batch, timeout.Token);
        }

        var afterHits = await index.SearchAsync(request, timeout.Token);
        var after = afterHits.Select(h => h.Item.Id).ToList();

        Assert.All(afterHits, h => Assert.Equal(Alice, h.Item.UserId));
        var tau = KendallTau(before, after);
        var moved = before.Select((id, rank) => Math.Abs(rank - (after.IndexOf(id) is var at and >= 0 ? at : after.Count))).ToList();
        output.WriteLine($"before: {string.Join(",", before)}");
        output.WriteLine($"after:  {string.Join(",", after)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kendall tau {tau:F3}, top-10 items replaced {before.Except(after).Count()}, max rank shift {moved.Max()}, mean rank shift {moved.Average():F2}"));
        Assert.True(tau >= MinKendallTau, string.Create(CultureInfo.InvariantCulture, $"Kendall tau {tau:F3} below the documented bound {MinKendallTau}"));
    }

    private static MemoryItem Item(string user, string id, string text) => new()
    {
        Id = id,
        Collection = MemoryCollections.Logs,
        UserId = user,
        SessionId = "s1",
        Type = "message",
        Text = text,
        CreatedAt = T0,
    };

    /// <summary>Kendall tau-b over the items of the first ranking; an item missing from the second ranks after all of its items.</summary>
    private static double KendallTau(List<string> first, List<string> second)
    {
        int Rank(string id) => second.IndexOf(id) is var at and >= 0 ? at : second.Count;
        long concordant = 0, discordant = 0, ties = 0;
        for (var i = 0; i < first.Count; i++)
        {
            for (var j = i + 1; j < first.Count; j++)
            {
                var a = Rank(first[i]);
                var b = Rank(first[j]);
                if (a == b)
                {
                    ties++;
                }
                else if (a < b)
                {
                    concordant++;
                }
                else
                {
                    discordant++;
                }
            }
        }

        var pairs = concordant + discordant + ties;
        return (concordant - discordant) / Math.Sqrt((double)pairs * (pairs - ties));
    }
}
