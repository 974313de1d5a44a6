using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.ChatCompletion;

public class LongMemoryChatClientScopeTests
{
    private static ChatOptions For(string user, string session)
        => new() { ConversationId = session, AdditionalProperties = new() { ["longmemory.user_id"] = user } };

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_UserPerCall_EachUserStoredAndRecalledAlone()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "My locker code is 4711 at the gym.")], For("alice", "a-1"));
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is my locker code at the gym?")], For("bob", "b-1"));

        Assert.DoesNotContain("4711", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
        Assert.Single(await test.Memory.ListSessionsAsync("alice"));
        Assert.Single(await test.Memory.ListSessionsAsync("bob"));
        Assert.Equal(2, (await test.Memory.ForScope(MemoryScope.For("alice", "a-1")).GetMessagesAsync()).Count);
        Assert.Equal(2, (await test.Memory.ForScope(MemoryScope.For("bob", "b-1")).GetMessagesAsync()).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_NoResolvableUser_ThrowsAndTouchesNothing()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory);

        await Assert.ThrowsAsync<LongMemoryUserRequiredException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions { ConversationId = "s" }));

        Assert.Empty(model.Prompts);
        Assert.Null(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.AnonymousSession("s"), "s", includeDeleted: true));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_AnonymousAllowed_UsesAnonymousSessionWithoutOtherUsersData()
    {
        await using var test = new TestMemory();
        var alice = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(alice.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My locker code is 4711 at the gym.")]);
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { AllowAnonymousSessions = true });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is my locker code at the gym?")]);

        Assert.DoesNotContain("4711", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
        var report = Assert.IsType<ContextReport>(response.AdditionalProperties![ContextReport.AdditionalPropertiesKey]);
        var session = await test.Memory.Sessions.GetSessionAsync(MemoryOwner.AnonymousSession(report.SessionId!), report.SessionId!);
        Assert.NotNull(session);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_NoSessionNamed_NewSessionPerCallContinuedFromItsMessages()
    {
        await using var test = new TestMemory();
        using var client = new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "first")]);
        var second = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "second")]);
        var third = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "first"), .. first.Messages, new ChatMessage(ChatRole.User, "third")]);

        var firstSession = Session(first);
        Assert.NotEqual(firstSession, Session(second));
        Assert.Equal(firstSession, Session(third));
        Assert.Null(first.ConversationId); // not named as a conversation id, so not echoed as one
        Assert.Equal(firstSession, first.Messages[0].AdditionalProperties?[LongMemoryChatClient.SessionIdPropertyKey]);
        Assert.Equal(4, (await test.Memory.ForScope(MemoryScope.For("alice", firstSession)).GetMessagesAsync()).Count);

        static string Session(ChatResponse response) => Assert.IsType<ContextReport>(response.AdditionalProperties![ContextReport.AdditionalPropertiesKey]).SessionId!;
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_SessionNamedAsConversationId_Echoed()
    {
        await using var test = new TestMemory();
        using var client = new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ConversationId = "named" });

        Assert.Equal("named", response.ConversationId);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_SessionFromAdditionalProperties_Used()
    {
        await using var test = new TestMemory();
        using var client = new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { [LongMemoryChatClient.SessionIdPropertyKey] = "from-properties" } });

        Assert.Null(response.ConversationId);
        Assert.Equal(2, (await test.Memory.ForScope(MemoryScope.For("alice", "from-properties")).GetMessagesAsync()).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_UserResolverAndAccessor_ConsultedPerCall()
    {
        await using var test = new TestMemory();
        var accessor = new MutableUserAccessor();
        using var services = new ServiceCollection().AddSingleton<ILongMemoryUserAccessor>(accessor).BuildServiceProvider();
        var model = new RecordingChatClient();
        using var viaAccessor = new LongMemoryChatClient(model, test.Memory, services: services);
        using var viaResolver = new LongMemoryChatClient(model, test.Memory, new LongMemoryChatClientOptions { UserResolver = (options, _) => options?.AdditionalProperties?["tenant-user"] as string });

        accessor.UserId = "carol";
        await viaAccessor.GetResponseAsync([new ChatMessage(ChatRole.User, "one")], new ChatOptions { ConversationId = "c" });
        accessor.UserId = "dave";
        await viaAccessor.GetResponseAsync([new ChatMessage(ChatRole.User, "two")], new ChatOptions { ConversationId = "d" });
        await viaResolver.GetResponseAsync([new ChatMessage(ChatRole.User, "three")], new ChatOptions { ConversationId = "e", AdditionalProperties = new() { ["tenant-user"] = "erin" } });

        Assert.NotNull(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.User("carol"), "c"));
        Assert.NotNull(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.User("dave"), "d"));
        Assert.NotNull(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.User("erin"), "e"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_PerCallUserDisagreesWithAccessor_Refused()
    {
        await using var test = new TestMemory();
        using var services = new ServiceCollection().AddSingleton<ILongMemoryUserAccessor>(new MutableUserAccessor { UserId = "carol" }).BuildServiceProvider();
        using var client = new LongMemoryChatClient(new RecordingChatClient(), test.Memory, services: services);

        await Assert.ThrowsAsync<LongMemoryUserRequiredException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], For("mallory", "m")));
        Assert.Null(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.User("mallory"), "m", includeDeleted: true));
        Assert.Null(await test.Memory.Sessions.GetSessionAsync(MemoryOwner.User("carol"), "m", includeDeleted: true));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_SameSessionIdUnderAnotherUser_IsThatUsersOwnSession()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "My diary says the treasure is under the oak.")], For("alice", "private"));

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Where is the treasure in my diary?")], For("bob", "private"));

        Assert.DoesNotContain("oak", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
        Assert.Equal(2, (await test.Memory.ForScope(MemoryScope.For("alice", "private")).GetMessagesAsync()).Count);
        Assert.Equal(2, (await test.Memory.ForScope(MemoryScope.For("bob", "private")).GetMessagesAsync()).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_UserKeysNotForwardedToModel()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], For("alice", "s"));

        Assert.False(model.LastOptions?.AdditionalProperties?.ContainsKey(LongMemoryChatClient.UserIdPropertyKey) ?? false);
        Assert.Null(model.LastOptions?.ConversationId);
    }

    private sealed class MutableUserAccessor : ILongMemoryUserAccessor
    {
        public string? UserId { get; set; }

        public string? GetUserId(ChatOptions? options) => UserId;
    }
}
