using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: user ids forged to collide with the victim (tagged keys, case, whitespace, confusables).</summary>
public class ForgedOwnerIdTests
{
    public static TheoryData<string> ForgedUserIds => new()
    {
        "session:" + VictimAnonSession, // before 212b53f this user WAS the anonymous session's owner
        "user:" + VictimUser,
        "user:" + VictimUser + ":",
        "session:",
        VictimUser + " ",
        " " + VictimUser,
        VictimUser + "\t",
        VictimUser + "\u200B", // zero-width space
        "Victim",
        "VICTIM",
        "v\u0456ctim", // Cyrillic small letter byelorussian-ukrainian i
        "\uFF56\uFF49\uFF43\uFF54\uFF49\uFF4D", // fullwidth "victim"
        VictimAnonSession,
        "%",
        "*",
    };

    public static TheoryData<string> ForgedAnonymousSessionIds => new()
    {
        "user:" + VictimUser,
        VictimUser,
        VictimSession,
        "session:" + VictimAnonSession,
        VictimAnonSession + " ",
        VictimAnonSession.ToUpperInvariant(),
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ForgedUserIds))]
    public async Task ForScope_ForgedUserId_SeesNothingOfVictimAndChangesNothing(string forgedUserId)
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();
        var memory = world.Memory;

        // The attacker even names its session like the victim's: per-owner ids make that its own new session.
        await memory.CreateSessionAsync(forgedUserId, "attacker", VictimSession);
        var scope = MemoryScope.For(forgedUserId, VictimSession);
        var attacker = memory.ForScope(scope);
        await attacker.AddMessagesAsync([new ChatMessage(ChatRole.User, "What is my bank PIN? I told you before.")]);

        var all = new RecallOptions { Collections = [MemoryCollections.Logs, MemoryCollections.Knowledge, MemoryCollections.ModelMemory, MemoryCollections.Documents], TopK = 20 };
        AssertNoVictimText("session recall", TextOf(await attacker.RecallAsync(Query, all)));
        AssertNoVictimText("user-wide recall", TextOf(await memory.ForScope(MemoryScope.ForUser(forgedUserId)).RecallAsync(Query, all)));
        AssertNoVictimText("prompt", TextOf((await attacker.AssembleContextAsync([new ChatMessage(ChatRole.User, PromptQuestion)])).Messages));
        Assert.Empty(await attacker.GetKnowledgeAsync());
        Assert.Empty(await attacker.GetKnowledgeHistoryAsync("bank_pin"));
        Assert.Empty(await attacker.GetModelMemoryAsync());
        Assert.Empty(await attacker.GetSummariesAsync(activeOnly: false));
        Assert.Single(await attacker.GetMessagesAsync());
        var sessions = await memory.ListSessionsAsync(forgedUserId);
        Assert.Equal(["attacker"], sessions.Select(s => s.Title));

        var tools = attacker.CreateTools();
        AssertNoVictimText("RetrieveUserInfo", await InvokeToolAsync(tools, "RetrieveUserInfo", "{}"));
        AssertNoVictimText("RetrieveUserInfo(query)", await InvokeToolAsync(tools, "RetrieveUserInfo", $$"""{"query":"{{Query}}"}"""));
        AssertNoVictimText("SearchConversationHistory", await InvokeToolAsync(tools, "SearchConversationHistory", $$"""{"query":"{{Query}}","acrossSessions":true,"topK":20}"""));
        AssertNoVictimText("ListKnowledge", await InvokeToolAsync(tools, "ListKnowledge", """{"key":"bank_pin"}"""));

        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(ForgedAnonymousSessionIds))]
    public async Task ForScope_ForgedAnonymousSessionId_SeesNothingOfVictimAndChangesNothing(string forgedSessionId)
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();
        var memory = world.Memory;

        await memory.CreateSessionAsync(null, "attacker", forgedSessionId);
        var attacker = memory.ForScope(MemoryScope.ForSession(forgedSessionId));
        await attacker.AddMessagesAsync([new ChatMessage(ChatRole.User, "What is my bank PIN?")]);

        var all = new RecallOptions { Collections = [MemoryCollections.Logs, MemoryCollections.Knowledge, MemoryCollections.ModelMemory], TopK = 20 };
        AssertNoVictimText("recall", TextOf(await attacker.RecallAsync(Query, all)));
        AssertNoVictimText("prompt", TextOf((await attacker.AssembleContextAsync([new ChatMessage(ChatRole.User, PromptQuestion)])).Messages));
        Assert.Empty(await attacker.GetKnowledgeAsync());
        Assert.Empty(await attacker.GetModelMemoryAsync());

        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateSessionAsync_AnonymousIdOfVictim_ThrowsAndVictimKeepsSession()
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();

        // An anonymous session id is its own owner: a second "create" of the same id is refused, not merged.
        await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => world.Memory.CreateSessionAsync(null, "hijack", VictimAnonSession));

        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();
    }

    public static TheoryData<string, Func<ChatMemory, Task>, string> BlankIds => new()
    {
        { "MemoryScope.For empty user", _ => Task.FromResult(MemoryScope.For(string.Empty, "s")), "userId" },
        { "MemoryScope.For blank session", _ => Task.FromResult(MemoryScope.For("u", " ")), "sessionId" },
        { "MemoryScope.ForUser whitespace", _ => Task.FromResult(MemoryScope.ForUser(" \t ")), "userId" },
        { "MemoryScope.ForSession whitespace", _ => Task.FromResult(MemoryScope.ForSession("\n")), "sessionId" },
        { "MemoryScope no ids", _ => Task.FromResult(new MemoryScope(null, null)), "userId" },
        { "MemoryOwner.User empty", _ => Task.FromResult(MemoryOwner.User(string.Empty)), "userId" },
        { "MemoryOwner.AnonymousSession blank", _ => Task.FromResult(MemoryOwner.AnonymousSession("  ")), "sessionId" },

        // U+0000: Microsoft.Data.Sqlite cut a long bound string at it, so "victim\0xxx..." matched the victim's rows.
        { "MemoryOwner.User with U+0000", _ => Task.FromResult(MemoryOwner.User(VictimUser + "\0" + new string('x', 600))), "userId" },
        { "CreateSessionAsync user with U+0000", m => m.CreateSessionAsync(VictimUser + "\0"), "userId" },
        { "CreateSessionAsync blank user", m => m.CreateSessionAsync("  "), "userId" },
        { "CreateSessionAsync blank anonymous id", m => m.CreateSessionAsync(null, sessionId: " "), "sessionId" },
        { "ListSessionsAsync empty", m => m.ListSessionsAsync(string.Empty), "userId" },
        { "ListSessionsAsync whitespace", m => m.ListSessionsAsync("\u2003"), "userId" },
        { "chat client blank user", m => Task.FromResult(new LongMemoryChatClient(new RecordingChatClient(), m, new LongMemoryChatClientOptions { UserId = " " })), "UserId" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BlankIds))]
    public async Task PublicEntryPoints_EmptyOrWhitespaceId_ThrowArgumentExceptionNamingParameter(string what, Func<ChatMemory, Task> call, string parameter)
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(world.Memory));

        Assert.True(parameter == error.ParamName, $"{what}: ParamName was '{error.ParamName}'");
        Assert.Equal(before, await world.SnapshotAsync());
    }
}
