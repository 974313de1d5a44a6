using System.Text.Json;
using LongMemory.ChatHost.Demo;

namespace LongMemory.ChatHost.Tests.Demo;

public class DemoRunnerTests(DemoRunFixture run) : IClassFixture<DemoRunFixture>
{
    [Fact]
    public void RunAsync_Script_ReplaysEveryTurnWithProgress()
    {
        Assert.True(run.Report.Turns.Count >= 200, $"only {run.Report.Turns.Count} turns");
        Assert.Equal(Enumerable.Range(1, DemoScript.Steps.Count), run.Report.Turns.Select(t => t.Turn));
        Assert.Equal(Enumerable.Range(1, DemoScript.Steps.Count), run.ProgressTurns);
        Assert.Equal(DemoScript.SessionTitles.Count, run.Report.Summary.Sessions);
        Assert.Equal(2 * DemoScript.Steps.Count, run.Report.Summary.MessagesStored);
    }

    [Fact]
    public void RunAsync_SmallBudget_NoPromptExceedsTheBudget()
    {
        var budget = run.Report.Turns[0].Budget;

        Assert.Equal(2048 - 512, budget);
        Assert.All(run.Report.Turns, t => Assert.InRange(t.PromptTokens, 1, t.Budget));
        Assert.Equal(0, run.Report.Summary.TurnsOverBudget);
    }

    [Fact]
    public void RunAsync_LongSessions_AreReducedHierarchicallyAndKnowledgeIsCaptured()
    {
        Assert.Contains(run.Report.Turns, t => t.TrimmedMessages > 0);
        Assert.True(run.Report.Turns.Max(t => t.SummaryLevels) >= 2, "expected summaries of summaries in a 45-turn session at a 2048-token window");
        Assert.True(run.Report.Turns[^1].KnowledgeCount >= 8, $"only {run.Report.Turns[^1].KnowledgeCount} knowledge entries");
    }

    [Fact]
    public void RunAsync_RecallChecks_MostFactsReachThePromptWhenAsked()
    {
        var checks = run.Report.Checks;
        var recalled = checks.Count(c => c.Recalled);

        Assert.Equal(DemoScript.Steps.Count(s => s.Asks is not null), checks.Count);
        Assert.All(checks, c => Assert.True(c.StatedAtTurn > 0 && c.StatedAtTurn < c.AskedAtTurn, c.Fact));
        Assert.True(recalled >= 0.8 * checks.Count, $"recalled {recalled}/{checks.Count}: missed {string.Join("; ", checks.Where(c => !c.Recalled).Select(c => c.Fact))}");
        Assert.All(checks.Where(c => c.Recalled), c => Assert.NotEmpty(c.FoundIn));
    }

    [Fact]
    public void Json_Report_HasTheDocumentedShape()
    {
        var root = run.Json.RootElement;
        var turns = root.GetProperty("turns").EnumerateArray().ToList();
        var checks = root.GetProperty("checks").EnumerateArray().ToList();

        Assert.Equal(run.Report.Turns.Count, turns.Count);
        foreach (var name in new[] { "turn", "prompt_tokens", "budget", "trimmed_messages", "summary_levels", "knowledge_count" })
        {
            Assert.All(turns, t => Assert.Equal(JsonValueKind.Number, t.GetProperty(name).ValueKind));
        }

        Assert.NotEmpty(checks);
        Assert.All(checks, c =>
        {
            Assert.Equal(JsonValueKind.String, c.GetProperty("fact").ValueKind);
            Assert.Equal(JsonValueKind.Number, c.GetProperty("stated_at_turn").ValueKind);
            Assert.Equal(JsonValueKind.Number, c.GetProperty("asked_at_turn").ValueKind);
            Assert.True(c.GetProperty("recalled").ValueKind is JsonValueKind.True or JsonValueKind.False);
        });
    }
}
