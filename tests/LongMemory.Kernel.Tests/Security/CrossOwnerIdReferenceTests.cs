using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>
/// Attack family: ids of the victim's rows (facts, model memory, summaries, messages) passed to another owner's
/// <see cref="ScopedMemory"/> methods. Ids are global row numbers, so they are guessable: ownership, not secrecy, protects them.
/// </summary>
public class CrossOwnerIdReferenceTests
{
    public static TheoryData<string?, string?> Attackers => new()
    {
        { "mallory", "m-1" },
        { "mallory", VictimSession },
        { "session:" + VictimAnonSession, VictimSession },
        { null, "anon-attacker" },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Attackers))]
    public async Task ForScope_VictimsRowIds_ReturnFalseOrZeroAndVictimUntouched(string? user, string? session)
    {
        await using var world = await CreateAsync();
        await world.Memory.CreateSessionAsync(user, "attacker", session);
        var attacker = world.Memory.ForScope(new MemoryScope(user, session));
        await attacker.AddMessagesAsync([new ChatMessage(ChatRole.User, "Just an attacker's message about banks.")]);
        var before = await world.SnapshotAsync();

        Assert.False(await attacker.ForgetKnowledgeAsync(world.FactId));
        Assert.False(await attacker.ForgetKnowledgeAsync(world.AnonFactId));
        Assert.False(await attacker.ForgetModelMemoryAsync(world.ModelMemoryId));
        Assert.False(await attacker.ForgetModelMemoryAsync(world.AnonModelMemoryId));
        Assert.Equal(0, await RestoreForeignSummaryAsync(attacker, world.SummaryId));
        Assert.Equal(0, await attacker.RestoreMessagesAsync(world.TrimmedMessageIds));
        if (user is not null)
        {
            Assert.False(await world.Memory.ForScope(MemoryScope.ForUser(user)).ForgetKnowledgeAsync(world.FactId));
            Assert.False(await world.Memory.ForScope(MemoryScope.ForUser(user)).ForgetModelMemoryAsync(world.ModelMemoryId));
        }

        AssertNoVictimText("attacker's messages", string.Join("\n", (await attacker.GetMessagesAsync()).Select(m => m.Content)));
        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();

        // Positive control: the same ids through the victim's own scope do act.
        var victim = world.Memory.ForScope(VictimScope);
        Assert.True(await victim.ForgetModelMemoryAsync(world.ModelMemoryId));
        Assert.True(await victim.RestoreSummaryAsync(world.SummaryId) > 0);
        Assert.NotEqual(before, await world.SnapshotAsync());
    }

    /// <summary>Another session's summary id restores nothing: 0, or (as today) "no summary n" for this session.</summary>
    internal static async Task<int> RestoreForeignSummaryAsync(ScopedMemory attacker, long summaryId)
    {
        try
        {
            return await attacker.RestoreSummaryAsync(summaryId);
        }
        catch (KeyNotFoundException error) when (error is not SessionNotFoundException)
        {
            AssertNoVictimText("error", error.Message);
            return 0;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task GetKnowledgeHistoryAsync_VictimsKey_AttackerSeesOnlyOwnHistory()
    {
        await using var world = await CreateAsync();
        var attacker = world.Memory.ForScope(MemoryScope.ForUser("mallory"));
        await attacker.RememberFactAsync("bank_pin", "0000");
        var before = await world.SnapshotAsync();

        var history = await attacker.GetKnowledgeHistoryAsync("bank_pin");

        Assert.Equal(["0000"], history.Select(h => h.Value));
        Assert.Equal(before, await world.SnapshotAsync());
        Assert.Contains(await world.Memory.ForScope(VictimScope).GetKnowledgeHistoryAsync("bank_pin"), h => h.Value.Contains(Pin, StringComparison.Ordinal));
    }
}
