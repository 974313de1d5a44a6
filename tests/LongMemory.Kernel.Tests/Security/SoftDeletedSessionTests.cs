using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: soft-deleted sessions: hidden from their owner's recall, and no other scope can delete or restore them.</summary>
public class SoftDeletedSessionTests
{
    private const string TripQuery = "trip safe code";

    [Fact(Timeout = 60_000)]
    public async Task RecallAsync_VictimsSoftDeletedSession_NeverInVictimsOwnRecallOrPrompt()
    {
        await using var world = await CreateAsync();
        var victim = world.Memory.ForScope(VictimScope);
        var userWide = world.Memory.ForScope(MemoryScope.ForUser(VictimUser));
        Assert.Contains(await userWide.RecallAsync(TripQuery), h => h.Text.Contains("safe code", StringComparison.Ordinal)); // positive control

        await world.Memory.DeleteSessionAsync(MemoryScope.For(VictimUser, VictimOtherSession));

        Assert.DoesNotContain(await userWide.RecallAsync(TripQuery), h => h.Text.Contains("safe code", StringComparison.Ordinal));
        Assert.DoesNotContain(await victim.RecallAsync(TripQuery), h => h.Text.Contains("safe code", StringComparison.Ordinal));
        var prompt = TextOf((await victim.AssembleContextAsync([new ChatMessage(ChatRole.User, "What was the trip safe code?")])).Messages);
        Assert.DoesNotContain("safe code is", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain(VictimOtherSession, (await world.Memory.ListSessionsAsync(VictimUser)).Select(s => s.Id));
        var tools = victim.CreateTools();
        Assert.DoesNotContain("safe code", await InvokeToolAsync(tools, "SearchConversationHistory", $$"""{"query":"{{TripQuery}}","acrossSessions":true}"""), StringComparison.Ordinal);

        // A scope naming the deleted session itself is refused like an unknown session, on every path.
        var deleted = world.Memory.ForScope(MemoryScope.For(VictimUser, VictimOtherSession));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => deleted.RecallAsync(TripQuery));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => deleted.GetMessagesAsync());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => deleted.AssembleContextAsync([new ChatMessage(ChatRole.User, TripQuery)]));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => deleted.GetIndexStatusAsync());
        Assert.Contains("error", await InvokeToolAsync(deleted.CreateTools(), "SearchConversationHistory", $$"""{"query":"{{TripQuery}}"}"""), StringComparison.Ordinal);

        // Restored, it is back (the data was only hidden).
        await world.Memory.RestoreSessionAsync(MemoryScope.For(VictimUser, VictimOtherSession));
        Assert.Contains(await userWide.RecallAsync(TripQuery), h => h.Text.Contains("safe code", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task RecallAsync_AnonymousSoftDeletedSession_RefusedForItsOwnScope()
    {
        await using var world = await CreateAsync();
        Assert.Contains(await world.Memory.ForScope(AnonScope).RecallAsync(Query), h => h.Text.Contains(Pin, StringComparison.Ordinal));

        await world.Memory.DeleteSessionAsync(AnonScope);

        await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.ForScope(AnonScope).RecallAsync(Query));
    }

    public static TheoryData<string?, string> AttackerScopes => new()
    {
        { "mallory", VictimOtherSession },
        { "session:" + VictimAnonSession, VictimOtherSession },
        { "user:" + VictimUser, VictimOtherSession },
        { VictimUser + " ", VictimOtherSession },
        { null, VictimOtherSession },
        { "mallory", VictimAnonSession },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(AttackerScopes))]
    public async Task DeleteAndRestoreSessionAsync_AttackerScope_NotFoundAndVictimUntouched(string? attackerUser, string sessionId)
    {
        await using var world = await CreateAsync();
        await world.Memory.DeleteSessionAsync(MemoryScope.For(VictimUser, VictimOtherSession));
        await world.Memory.DeleteSessionAsync(AnonScope);
        var before = await world.SnapshotAsync();
        var scope = new MemoryScope(attackerUser, sessionId);

        await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.RestoreSessionAsync(scope));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.DeleteSessionAsync(scope));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.DeleteSessionAsync(scope, hard: true));
        Assert.Equal(before, await world.SnapshotAsync());

        // Nor can it delete the victim's live session.
        var live = new MemoryScope(attackerUser, VictimSession);
        if (attackerUser is not null)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.DeleteSessionAsync(live, hard: true));
        }

        Assert.Equal(before, await world.SnapshotAsync());

        // Positive control: the owner's own scope does restore it.
        await world.Memory.RestoreSessionAsync(MemoryScope.For(VictimUser, VictimOtherSession));
        Assert.NotEqual(before, await world.SnapshotAsync());
    }
}
