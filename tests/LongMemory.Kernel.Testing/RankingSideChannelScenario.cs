using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The ranking side-channel scenario every index is measured with (SECURITY.md): a victim with 40 texts holding the query
/// words a few times among filler, then an attacker writing 3,000 texts that make the query words common. The
/// victim's keyword ranking before and after is compared with Kendall tau.
/// </summary>
public static class RankingSideChannelScenario
{
    /// <summary>The query the victim searches with.</summary>
    public const string Query = "budget alpha invoice";

    /// <summary>The number of texts the attacker writes.</summary>
    public const int AttackerTexts = 3000;

    private static readonly string[] Filler = ["meeting", "weather", "garden", "coffee", "train", "holiday", "music", "lunch", "email", "office"];

    /// <summary>The victim's 40 texts (fixed seed): each names its number ("alice7"), so a hit can be told apart.</summary>
    public static IReadOnlyList<string> VictimTexts()
    {
        var random = new Random(42);
        var texts = new List<string>(40);
        for (var n = 0; n < 40; n++)
        {
            var words = new List<string> { string.Create(CultureInfo.InvariantCulture, $"alice{n}") };
            words.AddRange(Enumerable.Repeat("budget", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("alpha", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("invoice", random.Next(0, 2)));
            words.AddRange(Enumerable.Range(0, random.Next(2, 12)).Select(_ => Filler[random.Next(Filler.Length)]));
            texts.Add(string.Join(' ', words.OrderBy(_ => random.Next())));
        }

        return texts;
    }

    /// <summary>
    /// The attacker's text number <paramref name="i"/>: every query word, "budget" heavily, so it becomes common across the
    /// store, and lengths that move the average.
    /// </summary>
    public static string AttackerText(int i) => string.Create(CultureInfo.InvariantCulture,
        $"budget budget budget {(i % 2 == 0 ? "alpha" : "invoice")} line {i} of bob's spreadsheet{(i % 3 == 0 ? " with a long tail of cells rows and columns" : string.Empty)}");

    /// <summary>The victim's texts as index items of <paramref name="owner"/> (ids a0..a39, session s1, no vector).</summary>
    public static List<MemoryItem> VictimItems(string owner) =>
        VictimTexts().Select((text, n) => Item(owner, "a" + n.ToString(CultureInfo.InvariantCulture), text)).ToList();

    /// <summary>The attacker's texts as index items of <paramref name="owner"/> (ids b0..b2999, session s1, no vector).</summary>
    public static List<MemoryItem> AttackerItems(string owner) =>
        Enumerable.Range(0, AttackerTexts).Select(i => Item(owner, "b" + i.ToString(CultureInfo.InvariantCulture), AttackerText(i))).ToList();

    /// <summary>
    /// Asserts that every hit after the attack is the victim's and that the victim's ranking moved no more than
    /// <paramref name="minKendallTau"/> allows; prints both rankings and the shift.
    /// </summary>
    public static void AssertBoundedShift(IReadOnlyList<string> before, IReadOnlyList<MemoryHit> afterHits, string victim, double minKendallTau, ITestOutputHelper output)
    {
        var after = afterHits.Select(h => h.Item.Id).ToList();
        Assert.All(afterHits, h => Assert.Equal(victim, h.Item.UserId));
        var tau = KendallTau(before, after);
        output.WriteLine($"before: {string.Join(",", before)}");
        output.WriteLine($"after:  {string.Join(",", after)}");
        output.WriteLine(DescribeShift(before, after));
        Assert.True(tau >= minKendallTau, string.Create(CultureInfo.InvariantCulture, $"Kendall tau {tau:F3} below the documented bound {minKendallTau}"));
    }

    /// <summary>Kendall tau-b over the items of the first ranking; an item missing from the second ranks after all of its items.</summary>
    public static double KendallTau<T>(IReadOnlyList<T> first, IReadOnlyList<T> second)
    {
        var positions = second.ToList();
        int Rank(T id) => positions.IndexOf(id) is var at and >= 0 ? at : positions.Count;
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

    /// <summary>Describes how the second ranking moved against the first: tau, items replaced, largest and mean rank shift.</summary>
    public static string DescribeShift<T>(IReadOnlyList<T> before, IReadOnlyList<T> after)
    {
        var positions = after.ToList();
        var moved = before.Select((id, rank) => Math.Abs(rank - (positions.IndexOf(id) is var at and >= 0 ? at : positions.Count))).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"kendall tau {KendallTau(before, after):F3}, top-{before.Count} items replaced {before.Except(after).Count()}, max rank shift {moved.DefaultIfEmpty().Max()}, mean rank shift {moved.DefaultIfEmpty().Average():F2}");
    }

    private static MemoryItem Item(string owner, string id, string text) => new()
    {
        Id = id,
        Collection = MemoryCollections.Logs,
        UserId = owner,
        SessionId = "s1",
        Type = "message",
        Text = text,
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };
}
