using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.Context;

public class ContextAssemblerTests
{
    [Fact]
    public async Task AssembleContextAsync_BlocksInDocumentedOrderWithLabels()
    {
        await using var test = new TestMemory();
        var old = await test.Memory.CreateSessionAsync("alice");
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(old.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "We talked about sailing boats in Greece.")]);
        await test.Memory.ForScope(session.Scope).RememberFactAsync("favorite_sport", "sailing");
        await test.Memory.ForScope(session.Scope).SaveModelMemoryAsync("The user wants sailing tips for beginners.");
        await test.Memory.ForScope(session.Scope).ImportDocumentAsync("guide", "Sailing guide", "Always check the weather before sailing. Wear a life jacket.");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "Hi"), new ChatMessage(ChatRole.Assistant, "Hello!")]);

        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "Any sailing advice?")], [new ChatMessage(ChatRole.System, "Be brief.")]);

        var texts = context.Messages.Select(m => m.Text).ToList();
        Assert.Equal("Be brief.", texts[0]);
        var order = new[] { "[Memory: Knowledge", "[Memory: Saved notes", "[Memory: Relevant past conversation", "[Memory: Document context" }
            .Select(label => texts.FindIndex(t => t.StartsWith(label, StringComparison.Ordinal))).ToList();
        Assert.All(order, i => Assert.True(i > 0));
        Assert.Equal(order.Order(), order);
        Assert.Equal("Hi", texts[^3]);
        Assert.Equal("Any sailing advice?", texts[^1]);
        Assert.Contains("favorite_sport", context.Report.KnowledgeUsed);
        Assert.True(context.Report.BudgetOk);
    }

    [Fact]
    public async Task AssembleContextAsync_PastConversation_ExcludesRecentWindow()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "The blue kayak is in the garage.")]);

        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "Where is the blue kayak?")]);

        Assert.DoesNotContain(context.Messages, m => m.Role == ChatRole.System && m.Text.Contains("blue kayak is in", StringComparison.Ordinal));
        Assert.Contains(context.Messages, m => m.Role == ChatRole.User && m.Text == "The blue kayak is in the garage.");
    }

    [Fact]
    public async Task AssembleContextAsync_IrrelevantKnowledge_GatedOut()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).RememberFactAsync("shoe_size", "38");

        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "Explain quantum entanglement simply.")]);

        Assert.Empty(context.Report.KnowledgeUsed);
        Assert.DoesNotContain(context.Messages, m => m.Text.Contains("shoe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AssembleContextAsync_TightBudget_KeepsNewestTurnsAndReportsTrimming()
    {
        await using var test = new TestMemory(o =>
        {
            o.Context.MaxContextTokens = 512;
            o.Context.ReservedOutputTokens = 128;
            o.Reduction.MaxLiveMessages = 1000;
            o.Reduction.TriggerRatio = 1.0;
            o.Reduction.TokenBudget = 100_000;
        });
        var session = await test.Memory.CreateSessionAsync("alice");
        for (var i = 0; i < 40; i++)
        {
            await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, $"Message number {i} with a few extra words to fill space.")]);
        }

        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "latest question")]);

        Assert.True(context.Report.TotalTokens <= 384, context.Report.TotalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(test.Memory.TokenCounter.CountTokens(context.Messages), context.Report.TotalTokens);
        Assert.Contains(context.Messages, m => m.Text.StartsWith("Message number 39", StringComparison.Ordinal));
        Assert.DoesNotContain(context.Messages, m => m.Text.StartsWith("Message number 0 ", StringComparison.Ordinal));
        Assert.True(context.Report.ContextTrimmed);
        var recent = context.Report.Blocks.Single(b => b.Block == ContextBlockKind.RecentTurns);
        Assert.True(recent.Dropped > 0);
    }

    [Fact]
    public async Task ContextReport_RoundTripsThroughJson()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).RememberFactAsync("pet", "a parrot called Kiwi");

        var report = (await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "What pet do I have?")])).Report;
        var json = report.ToJson();
        var back = ContextReport.FromJson(json);

        Assert.Contains("\"budget_ok\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"block\":\"Knowledge\"", json, StringComparison.Ordinal);
        Assert.Equal(report.TotalTokens, back.TotalTokens);
        Assert.Equal(report.Blocks, back.Blocks);
        Assert.Equal(report.KnowledgeUsed, back.KnowledgeUsed);
    }

    [Theory]
    [InlineData("I live in Lisbon.", "Where do I live?", "location: Lisbon")]
    [InlineData("I work as a nurse.", "What do I do for a living?", "job: nurse")]
    [InlineData("My sister is named Marta.", "What is my sister called?", "sister name: Marta")]
    public async Task AssembleContextAsync_NaturalQuestion_RecallsFactStoredUnderKey(string statement, string question, string expected)
    {
        await using var test = new TestMemory();
        var earlier = await test.Memory.CreateSessionAsync("alice");
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(earlier.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, statement)]);

        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, question)]);

        var knowledge = Assert.Single(context.Messages, m => m.Text.StartsWith("[Memory: Knowledge", StringComparison.Ordinal));
        Assert.Contains(expected, knowledge.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("(where I live", knowledge.Text, StringComparison.Ordinal);
    }
}
