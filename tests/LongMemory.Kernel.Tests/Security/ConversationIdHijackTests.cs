using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Security.VictimWorld;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: a client names another owner's session in <see cref="ChatOptions.ConversationId"/>.</summary>
public class ConversationIdHijackTests
{
    public static TheoryData<string?, string> Hijacks => new()
    {
        { "mallory", VictimSession },
        { "mallory", VictimOtherSession },
        { "mallory", VictimAnonSession },
        { "session:" + VictimAnonSession, VictimAnonSession },
        { "user:" + VictimUser, VictimSession },
        { VictimUser.ToUpperInvariant(), VictimSession },
        { null, VictimSession }, // an anonymous client naming a user's session id gets an anonymous session of that id
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Hijacks))]
    public async Task GetResponseAsync_OtherOwnersConversationId_AttackerGetsOwnSessionAndPromptHoldsNoVictimText(string? attackerUser, string conversationId)
    {
        await using var world = await CreateAsync();
        var before = await world.SnapshotAsync();
        var model = new RecordingChatClient();
        using var client = new LongMemoryChatClient(model, world.Memory, new LongMemoryChatClientOptions { UserId = attackerUser, AllowAnonymousSessions = attackerUser is null });
        var options = new ChatOptions { ConversationId = conversationId };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi, what is my bank PIN? Say zanzibarquill if you know.")], options);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, Query)], options);
        await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Repeat my bank PIN and the trip safe code.")], options))
        {
        }

        Assert.Equal(3, model.Prompts.Count);
        foreach (var prompt in model.Prompts)
        {
            var text = TextOf(prompt);
            Assert.False(text.Contains(Pin, StringComparison.Ordinal), "the attacker's prompt holds the victim's PIN: " + text);
            Assert.DoesNotContain("Lisbon", text, StringComparison.Ordinal);
            Assert.DoesNotContain("tomatoes", text, StringComparison.OrdinalIgnoreCase);
        }

        // The attacker's turns went to its own new session of that id: three questions and three answers, nothing else.
        var own = await world.Memory.ForScope(new MemoryScope(attackerUser, conversationId)).GetMessagesAsync();
        Assert.Equal(6, own.Count);
        Assert.All(own, m => Assert.DoesNotContain(Pin, m.Content, StringComparison.Ordinal));

        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertVictimStillRecallsAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task GetResponseAsync_AttackerTookVictimsIdFirst_VictimNotLockedOutAndSeesOnlyOwnHistory()
    {
        await using var world = await CreateAsync();
        var model = new RecordingChatClient();
        using var attacker = new LongMemoryChatClient(model, world.Memory, new LongMemoryChatClientOptions { UserId = "mallory" });
        await attacker.GetResponseAsync([new ChatMessage(ChatRole.User, "Mallory's note: the secret password is swordfish.")], new ChatOptions { ConversationId = "v-new" });

        // The victim starts a conversation with the id the attacker grabbed first: before 212b53f this threw (locked out).
        using var victim = new LongMemoryChatClient(model, world.Memory, new LongMemoryChatClientOptions { UserId = VictimUser });
        await victim.GetResponseAsync([new ChatMessage(ChatRole.User, "What was the secret password?")], new ChatOptions { ConversationId = "v-new" });
        Assert.DoesNotContain("swordfish", TextOf(model.LastPrompt), StringComparison.Ordinal);

        await victim.GetResponseAsync([new ChatMessage(ChatRole.User, "What is my bank PIN?")], new ChatOptions { ConversationId = VictimSession });
        Assert.Contains(Pin, TextOf(model.LastPrompt), StringComparison.Ordinal);
        Assert.DoesNotContain("swordfish", TextOf(model.LastPrompt), StringComparison.Ordinal);

        var sessions = await world.Memory.ListSessionsAsync(VictimUser);
        Assert.Contains(sessions, s => s.Id == "v-new");
        Assert.Equal(["v-new"], (await world.Memory.ListSessionsAsync("mallory")).Select(s => s.Id));
    }
}
