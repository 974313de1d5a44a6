using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: enumerating sessions (and their titles, which come from first messages) of other owners.</summary>
public class SessionListingTests
{
    public static TheoryData<string> ProbeUserIds => new()
    {
        "session:" + VictimAnonSession,
        VictimAnonSession,
        "session:",
        "anonymous",
        "user:" + VictimUser,
        "Victim",
        "%",
        "*",
        "' OR 1=1 --",
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(ProbeUserIds))]
    public async Task ListSessionsAsync_ProbeUserId_ListsNoSessionOfAnyoneElse(string probe)
    {
        await using var world = await CreateAsync();

        var listed = await world.Memory.ListSessionsAsync(probe, 0, 1000);

        Assert.Empty(listed);
        var own = await world.Memory.ListSessionsAsync(VictimUser, 0, 1000); // positive control
        Assert.Equal([VictimSession, VictimOtherSession], own.Select(s => s.Id).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListSessionsAsync_NullUser_ThrowsInsteadOfListingAnonymousSessions()
    {
        await using var world = await CreateAsync();

        var error = await Assert.ThrowsAsync<ArgumentNullException>(() => world.Memory.ListSessionsAsync(null!));

        Assert.Equal("userId", error.ParamName);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListSessionsAsync_EveryUserOfTheStore_NeverListsAnAnonymousSessionOrItsTitle()
    {
        await using var world = await CreateAsync();
        for (var i = 0; i < 5; i++)
        {
            await world.Memory.CreateSessionAsync(null, $"anonymous title {i} {Marker}");
        }

        foreach (var user in new[] { VictimUser, "mallory", "session:" + VictimAnonSession })
        {
            var listed = await world.Memory.ListSessionsAsync(user, 0, 1000);
            Assert.DoesNotContain(listed, s => s.Owner.Kind == MemoryOwnerKind.AnonymousSession);
            Assert.DoesNotContain(listed, s => (s.Title ?? string.Empty).StartsWith("anonymous", StringComparison.OrdinalIgnoreCase) || s.Id == VictimAnonSession);
        }
    }
}
