using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: reading another owner's indexing status (counts and last error) through a scope naming its session.</summary>
public class IndexStatusProbeTests
{
    [Fact(Timeout = 30_000)]
    public async Task GetIndexStatusAsync_AttackerScopeWithVictimsSessionId_NotFoundUntilOwnSessionThenOwnCountsOnly()
    {
        await using var world = await CreateAsync();
        var victimStatus = await world.Memory.ForScope(VictimScope).GetIndexStatusAsync();
        Assert.Equal(14, victimStatus.Indexed); // positive control: the victim's session has fourteen indexed messages

        foreach (var probe in new[] { MemoryScope.For("mallory", VictimSession), MemoryScope.For("session:" + VictimAnonSession, VictimAnonSession), MemoryScope.ForSession(VictimSession) })
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => world.Memory.ForScope(probe).GetIndexStatusAsync());
        }

        await world.Memory.CreateSessionAsync("mallory", "attacker", VictimSession);
        var attacker = world.Memory.ForScope(MemoryScope.For("mallory", VictimSession));
        await attacker.AddMessagesAsync([new ChatMessage(ChatRole.User, "one message")]);

        var status = await attacker.GetIndexStatusAsync();
        var userWide = await world.Memory.ForScope(MemoryScope.ForUser("mallory")).GetIndexStatusAsync();

        Assert.Equal(new IndexStatus(0, 1, 0, null), status);
        Assert.Equal(new IndexStatus(0, 1, 0, null), userWide);
        Assert.Equal(victimStatus, await world.Memory.ForScope(VictimScope).GetIndexStatusAsync());
    }
}
