using LongMemory.ChatHost.Demo;

namespace LongMemory.ChatHost.Tests.Demo;

public class DemoScriptTests
{
    [Fact]
    public void Steps_Script_HasOver200TurnsInSeveralSessionsInOrder()
    {
        Assert.True(DemoScript.Steps.Count >= 200);
        Assert.True(DemoScript.SessionTitles.Count >= 4);
        Assert.Equal(Enumerable.Range(0, DemoScript.SessionTitles.Count), DemoScript.Steps.Select(s => s.Session).Distinct());
    }

    [Fact]
    public void Steps_EveryQuestion_IsAboutAFactStatedEarlierThatTheQuestionDoesNotGiveAway()
    {
        var facts = DemoScript.Facts.ToDictionary(f => f.Id);
        var stated = new HashSet<string>();
        foreach (var step in DemoScript.Steps)
        {
            if (step.States is { } s)
            {
                Assert.Contains(facts[s].Expected, step.Text, StringComparison.OrdinalIgnoreCase);
                stated.Add(s);
            }

            if (step.Asks is { } a)
            {
                Assert.Contains(a, stated);
                Assert.DoesNotContain(facts[a].Expected, step.Text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void Steps_ChangedFacts_AreAskedAfterTheChange()
    {
        var moved = DemoScript.Steps.ToList().FindIndex(s => s.States == "city2");
        var askedNow = DemoScript.Steps.ToList().FindIndex(s => s.Asks == "city2");

        Assert.True(moved > DemoScript.Steps.ToList().FindIndex(s => s.States == "city"));
        Assert.True(askedNow > moved + 50, "the new city is asked long after the move");
    }
}
