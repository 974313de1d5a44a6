namespace LongMemory.Kernel.Tests.Storage;

public class Fts5QueryTests
{
    [Fact]
    public void SelectTerms_CommonAndRareTerms_KeepsOnlyRareOnesRarestFirst()
    {
        var frequency = new Dictionary<string, long> { ["coffee"] = 40, ["said"] = 3_000, ["marathon"] = 5, ["about"] = 4_000 };

        var selected = Fts5Query.SelectTerms(["said", "coffee", "about", "marathon", "missing"], t => frequency.GetValueOrDefault(t), 10_000);

        Assert.Equal(["marathon", "coffee"], selected);
    }

    [Fact]
    public void SelectTerms_OnlyCommonTerms_KeepsTheRarestFew()
    {
        var frequency = new Dictionary<string, long> { ["a1"] = 5_000, ["a2"] = 2_000, ["a3"] = 3_000 };

        var selected = Fts5Query.SelectTerms(["a1", "a2", "a3"], t => frequency.GetValueOrDefault(t), 10_000);

        Assert.Equal(["a2", "a3"], selected);
    }

    [Fact]
    public void SelectTerms_SmallIndex_KeepsCommonTermsToo()
    {
        var frequency = new Dictionary<string, long> { ["lighthouse"] = 2, ["say"] = 1 };

        var selected = Fts5Query.SelectTerms(["say", "lighthouse"], t => frequency.GetValueOrDefault(t), 2);

        Assert.Equal(["say", "lighthouse"], selected);
    }

    [Fact]
    public void SelectTerms_ManyModeratelyCommonTerms_StopsAtThePostingsCap()
    {
        var frequency = new Dictionary<string, long> { ["rare"] = 40, ["mid1"] = 700, ["mid2"] = 900, ["mid3"] = 950 };

        var selected = Fts5Query.SelectTerms(["mid3", "mid1", "rare", "mid2"], t => frequency.GetValueOrDefault(t), 100_000);

        Assert.Equal(["rare", "mid1"], selected);
    }

    [Fact]
    public void SelectTerms_NoTermOccurs_ReturnsEmpty()
    {
        Assert.Empty(Fts5Query.SelectTerms(["nothing", "here"], _ => 0, 10_000));
    }

    [Fact]
    public void SelectTerms_ManyRareTerms_CapsAtMaxSelected()
    {
        var terms = Enumerable.Range(0, 20).Select(i => "t" + i).ToList();

        var selected = Fts5Query.SelectTerms(terms, t => int.Parse(t[1..], System.Globalization.CultureInfo.InvariantCulture) + 1, 1_000_000);

        Assert.Equal(terms.Take(Fts5Query.MaxSelectedTerms), selected);
    }

    [Fact]
    public void BuildScoped_QuotesWordsAndScopesToOwnerCollectionsAndSession()
    {
        var match = Fts5Query.BuildScoped("u\"1", ["logs"], "s1", ["x\"y", "z"]);

        Assert.Equal(
            $"scope : (\"{Fts5Query.Hex("logs")}z{Fts5Query.Hex("u\"1")}\") AND scope : \"y{Fts5Query.Hex("s1")}\" AND text : (\"x\"\"y\" OR \"z\")",
            match);
    }
}
