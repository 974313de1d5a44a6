using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Memory;

/// <summary>Knowledge never goes back in time; forget means forget (issue 10, section 4).</summary>
public sealed class ForgettingTests
{
    [Fact(Timeout = 60_000)]
    public async Task SummarizeOldestAsync_OlderFactReExtracted_DoesNotSupersedeNewerOne()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        await memory.AddMessagesAsync([User("I live in Lisbon."), Assistant("Lisbon is lovely.")]);
        for (var turn = 2; turn < 27; turn++)
        {
            await memory.AddMessagesAsync([User($"Question {turn}: how do tides work in harbour {turn}?"), Assistant($"Answer {turn}: the moon pulls the water.")]);
        }

        await memory.AddMessagesAsync([User("Big news: I moved to Porto!"), Assistant("Congratulations.")]);
        Assert.Equal("Porto", Assert.Single(await memory.GetKnowledgeAsync("location")).Value);

        var reduction = await memory.SummarizeOldestAsync(20);
        Assert.True(reduction.SummariesCreated > 0);
        await memory.CompactAsync();

        Assert.Equal("Porto", Assert.Single(await memory.GetKnowledgeAsync("location")).Value);
        var history = await memory.GetKnowledgeHistoryAsync("location");
        Assert.All(history.Where(e => e.Value != "Porto"), e => Assert.False(e.IsCurrent));
        Assert.All(history.Where(e => !e.IsCurrent), e => Assert.True(e.ValidTo >= e.ValidFrom));

        var hits = await memory.RecallAsync("where do I live, location", new RecallOptions { Collections = [MemoryCollections.Knowledge] });
        Assert.Equal("location: Porto", Assert.Single(hits).Text);

        var context = await memory.AssembleContextAsync([User("Where do I live now?")]);
        var prompt = string.Join("\n", context.Messages.Select(m => m.Text));
        Assert.Contains("location: Porto", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("location: Lisbon", prompt, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetMemoryTool_Fact_GoneFromRecallListingsAndPrompt_HistoryKeepsOnlyTheMarker()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        var fact = await memory.RememberFactAsync("location", "Lisbon");
        var tools = memory.CreateTools().ToDictionary(t => t.Name);

        var forgot = await InvokeAsync(tools["ForgetMemory"], new() { ["id"] = $"fact:{fact.Id}" });

        Assert.Contains("\"forgotten\"", forgot, StringComparison.Ordinal);
        Assert.Empty(await memory.GetKnowledgeAsync());
        Assert.DoesNotContain("Lisbon", await InvokeAsync(tools["ListKnowledge"], new()), StringComparison.Ordinal);
        var listed = await InvokeAsync(tools["ListKnowledge"], new() { ["key"] = "location" });
        Assert.DoesNotContain("Lisbon", listed, StringComparison.Ordinal);
        Assert.Contains("forgotten", listed, StringComparison.Ordinal);
        var marker = Assert.Single(await memory.GetKnowledgeHistoryAsync("location"));
        Assert.True(marker.IsForgotten);
        Assert.NotNull(marker.ForgottenAt);
        Assert.DoesNotContain("Lisbon", marker.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("Lisbon", await InvokeAsync(tools["RetrieveUserInfo"], new() { ["query"] = "Lisbon location" }), StringComparison.Ordinal);
        Assert.Empty(await memory.RecallAsync("Lisbon location", new RecallOptions { Collections = [MemoryCollections.Knowledge] }));
        var context = await memory.AssembleContextAsync([User("Where do I live?")]);
        Assert.DoesNotContain("Lisbon", string.Join("\n", context.Messages.Select(m => m.Text)), StringComparison.Ordinal);
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM knowledge_entries WHERE value LIKE '%Lisbon%'"));
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetModelMemoryAsync_RowContentErasedAndIndexItemGone()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        var note = await memory.SaveModelMemoryAsync("The user's bank PIN hint is heron.");

        Assert.True(await memory.ForgetModelMemoryAsync(note.Id));

        Assert.Empty(await memory.GetModelMemoryAsync());
        Assert.Equal(0, await test.Memory.Index.CountAsync(new MemoryFilter(session.Owner.Key) { Collections = [MemoryCollections.ModelMemory] }));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM model_memory WHERE content LIKE '%heron%'"));
        Assert.False(await memory.ForgetModelMemoryAsync(note.Id));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteSessionAsync_Soft_HidesWhatWasLearnedOnlyInItUntilRestored()
    {
        await using var test = new TestMemory();
        var gone = await test.Memory.CreateSessionAsync("alice");
        var kept = await test.Memory.CreateSessionAsync("alice");
        var goneMemory = test.Memory.ForScope(gone.Scope);
        var keptMemory = test.Memory.ForScope(kept.Scope);
        await goneMemory.RememberFactAsync("pet_name", "Biscuit");
        await goneMemory.SaveModelMemoryAsync("The user keeps a tortoise called Biscuit.");
        await keptMemory.RememberFactAsync("favorite_color", "green");
        await keptMemory.SaveModelMemoryAsync("The user likes long walks.");

        await test.Memory.DeleteSessionAsync(gone.Scope);

        var user = test.Memory.ForScope(MemoryScope.ForUser("alice"));
        Assert.Equal(["favorite_color"], (await keptMemory.GetKnowledgeAsync()).Select(e => e.Key));
        Assert.Equal(["favorite_color"], (await user.GetKnowledgeAsync()).Select(e => e.Key));
        Assert.DoesNotContain("Biscuit", string.Concat((await keptMemory.GetModelMemoryAsync()).Select(e => e.Content)), StringComparison.Ordinal);
        var tools = keptMemory.CreateTools().ToDictionary(t => t.Name);
        Assert.DoesNotContain("Biscuit", await InvokeAsync(tools["ListKnowledge"], new()), StringComparison.Ordinal);
        Assert.DoesNotContain("Biscuit", await InvokeAsync(tools["RetrieveUserInfo"], new() { ["query"] = "tortoise Biscuit pet" }), StringComparison.Ordinal);
        Assert.Empty(await keptMemory.RecallAsync("tortoise Biscuit pet name"));
        var context = await keptMemory.AssembleContextAsync([User("What is my tortoise Biscuit called?")]);
        Assert.DoesNotContain("Biscuit", string.Join("\n", context.Messages.Select(m => m.Text).SkipLast(1)), StringComparison.Ordinal);

        await test.Memory.RestoreSessionAsync(gone.Scope);

        Assert.Contains(await keptMemory.GetKnowledgeAsync(), e => e.Value == "Biscuit");
        Assert.Contains(await keptMemory.GetModelMemoryAsync(), e => e.Content.Contains("Biscuit", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteSessionAsync_Hard_RemovesModelMemoryRowsAndIndexItemsDerivedFromIt()
    {
        await using var test = new TestMemory();
        var gone = await test.Memory.CreateSessionAsync("alice");
        var kept = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(gone.Scope).SaveModelMemoryAsync("The user keeps a tortoise called Biscuit.");
        await test.Memory.ForScope(kept.Scope).SaveModelMemoryAsync("The user likes long walks.");

        await test.Memory.DeleteSessionAsync(gone.Scope, hard: true);

        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM model_memory WHERE content LIKE '%Biscuit%'"));
        Assert.Equal(1, await CountRowsAsync(test, "SELECT count(*) FROM model_memory"));
        Assert.Equal(1, await test.Memory.Index.CountAsync(new MemoryFilter(gone.Owner.Key) { Collections = [MemoryCollections.ModelMemory] }));
        Assert.Single(await test.Memory.ForScope(kept.Scope).GetModelMemoryAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteSessionAsync_HardAnonymous_ForgetsItsKnowledgeAndModelMemory()
    {
        await using var test = new TestMemory();
        var anonymous = await test.Memory.CreateSessionAsync(null);
        var memory = test.Memory.ForScope(anonymous.Scope);
        await memory.AddMessagesAsync([User("My name is Quillon and I live in Tromso.")]);
        await memory.SaveModelMemoryAsync("Quillon collects stamps.");

        await test.Memory.DeleteSessionAsync(anonymous.Scope, hard: true);

        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM knowledge_entries"));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM model_memory"));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM memory_items"));
    }

    internal static ChatMessage User(string text) => new(ChatRole.User, text);

    internal static ChatMessage Assistant(string text) => new(ChatRole.Assistant, text);

    internal static async Task<long> CountRowsAsync(TestMemory test, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = test.DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static async Task<string> InvokeAsync(AIFunction function, Dictionary<string, object?> arguments)
    {
        var result = await function.InvokeAsync(new AIFunctionArguments(arguments));
        return result is JsonElement json ? json.GetRawText() : result?.ToString() ?? string.Empty;
    }
}
