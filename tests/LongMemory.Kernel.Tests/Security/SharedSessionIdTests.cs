using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: the same session id under two owners stays two sessions through every public path.</summary>
public class SharedSessionIdTests
{
    [Fact(Timeout = 60_000)]
    public async Task EveryPublicPath_SameSessionIdUnderTwoUsers_TwoSeparateSessions()
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();
        var memory = world.Memory;
        var created = await memory.CreateSessionAsync("mallory", "mallory's", VictimSession);
        Assert.Equal(VictimSession, created.Id);
        var scope = MemoryScope.For("mallory", VictimSession);
        var mallory = memory.ForScope(scope);

        await mallory.AddMessagesAsync(
        [
            new ChatMessage(ChatRole.User, "My favourite colour is teal and my bank is in Porto."),
            new ChatMessage(ChatRole.Assistant, "Teal it is."),
            new ChatMessage(ChatRole.User, "Another note about banks and zebras."),
            new ChatMessage(ChatRole.Assistant, "Zebras noted."),
        ]);
        for (var turn = 0; turn < 4; turn++)
        {
            await mallory.AddMessagesAsync([new ChatMessage(ChatRole.User, $"Mallory filler {turn}."), new ChatMessage(ChatRole.Assistant, "Ok.")]);
        }

        await mallory.RememberFactAsync("favorite_color", "teal");
        await mallory.SaveModelMemoryAsync("Mallory banks in Porto.");
        await mallory.ImportDocumentAsync("doc-1", "Mallory's doc", "A document about Porto banks and zebras.");
        await mallory.SummarizeOldestAsync(2);
        await mallory.CompactAsync();
        await mallory.ReduceIfNeededAsync();
        await mallory.GenerateReportAsync();
        await mallory.RestoreSummaryAsync((await mallory.GetSummariesAsync())[0].Id);

        Assert.Equal("mallory's", (await mallory.GetSessionAsync())!.Title);
        Assert.Equal("Banking and secrets", (await memory.ForScope(VictimScope).GetSessionAsync())!.Title);
        Assert.DoesNotContain(await mallory.GetMessagesAsync(), m => m.Content.Contains(Pin, StringComparison.Ordinal));
        AssertNoVictimText("summaries", string.Join("\n", (await mallory.GetSummariesAsync(false)).Select(s => s.Content)));
        AssertNoVictimText("recall", TextOf(await mallory.RecallAsync(Query, new RecallOptions { AcrossSessions = false, Collections = [MemoryCollections.Logs, MemoryCollections.Documents, MemoryCollections.Knowledge, MemoryCollections.ModelMemory] })));
        AssertNoVictimText("prompt", TextOf((await mallory.AssembleContextAsync([new ChatMessage(ChatRole.User, PromptQuestion)])).Messages));
        Assert.Equal([VictimSession], (await memory.ListSessionsAsync("mallory")).Select(s => s.Id));

        // The victim's documents, recall and prompt see none of mallory's session either.
        var victim = memory.ForScope(VictimScope);
        var victimText = TextOf(await victim.RecallAsync("teal Porto zebras", new RecallOptions { Collections = [MemoryCollections.Logs, MemoryCollections.Documents, MemoryCollections.Knowledge, MemoryCollections.ModelMemory] }))
            + TextOf((await victim.AssembleContextAsync([new ChatMessage(ChatRole.User, "teal Porto zebras")])).Messages.SkipLast(1)); // minus the question itself
        Assert.DoesNotContain("teal", victimText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Porto", victimText, StringComparison.Ordinal);

        // Deleting mallory's session (hard) removes mallory's session only.
        await memory.DeleteSessionAsync(scope, hard: true);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => mallory.GetMessagesAsync());
        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();
    }
}
