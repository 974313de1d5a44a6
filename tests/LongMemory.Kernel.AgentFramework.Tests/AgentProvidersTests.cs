using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.AgentFramework.Tests;

public sealed class AgentProvidersTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();
    private readonly RecordingChatClient _model = new();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 300_000)]
    public async Task RunAsync_200Turns_FactFromTurn3IsInTheModelInputAtTurn200()
    {
        var agent = NewAgent("alice");
        var session = await agent.CreateSessionAsync();
        for (var turn = 1; turn < 200; turn++)
        {
            var text = turn == 3 ? "By the way, my dog is called Bolacha." : $"Turn {turn}: let us talk about the weather in city {turn}.";
            await agent.RunAsync(text, session);
        }

        await agent.RunAsync("What is my dog called?", session);

        var prompt = Input();
        Assert.Contains("Bolacha", prompt, StringComparison.Ordinal);
        Assert.True(_model.LastPrompt.Count < 60, $"the prompt has {_model.LastPrompt.Count} messages: history is reduced");
        var scope = await History(agent).GetScopeAsync(agent, session);
        Assert.Equal(400, (await _memory.ForScope(scope).GetMessagesAsync()).Count); // every message once, trimmed not lost
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_BothProviders_StoreEachMessageOnce_AndNeverStoreInjectedContext()
    {
        var agent = NewAgent("alice");
        var session = await agent.CreateSessionAsync();
        await _memory.ForScope(MemoryScope.For("alice", (await _memory.CreateSessionAsync("alice")).Id)).SaveModelMemoryAsync("The user's favourite tea is sencha.");

        await agent.RunAsync("Which tea should I buy, given my favourite tea?", session);
        var firstInput = Input();
        await agent.RunAsync("And which cup?", session);
        await agent.RunAsync("Thanks!", session);

        var stored = await _memory.ForScope(await History(agent).GetScopeAsync(agent, session)).GetMessagesAsync();
        Assert.Equal(["user", "assistant", "user", "assistant", "user", "assistant"], stored.Select(m => m.Role.Value));
        Assert.DoesNotContain(stored, m => m.Content.Contains("<memory", StringComparison.Ordinal));
        Assert.Contains("sencha", firstInput, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ContextProviderWithInMemoryHistory_RecordsEachTurnOnce()
    {
        var context = new LongMemoryContextProvider(_memory, new LongMemoryAgentOptions { UserId = "alice" });
        var agent = _model.AsAIAgent(new ChatClientAgentOptions { AIContextProviders = [context] });
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("My train leaves at 9:40.", session);
        await agent.RunAsync("When does my train leave?", session);

        var sessions = await _memory.ListSessionsAsync("alice");
        var stored = await _memory.ForScope(MemoryScope.For("alice", Assert.Single(sessions).Id)).GetMessagesAsync();
        Assert.Equal(4, stored.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeserializeSessionAsync_InANewAgent_ResumesTheConversation()
    {
        var first = NewAgent("alice");
        var session = await first.CreateSessionAsync();
        await first.RunAsync("My flat number is 5B.", session);
        var serialized = await first.SerializeSessionAsync(session);

        var second = NewAgent("alice");
        var resumed = await second.DeserializeSessionAsync(serialized);
        await second.RunAsync("Remind me of my flat number.", resumed);

        Assert.Contains(_model.LastPrompt, m => m.Role == ChatRole.User && m.Text == "My flat number is 5B.");
        Assert.Equal(
            (await History(first).GetScopeAsync(first, session)).SessionId,
            (await History(second).GetScopeAsync(second, resumed)).SessionId);
        Assert.Single(await _memory.ListSessionsAsync("alice"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_TwoUsers_StayApart_EvenWithEachOthersSerializedSession()
    {
        var alice = NewAgent("alice");
        var aliceSession = await alice.CreateSessionAsync();
        await alice.RunAsync("My gate code is 4417 and my cat is Miso.", aliceSession);
        var bob = NewAgent("bob");

        await bob.RunAsync("What is my gate code? What is my cat called?", await bob.CreateSessionAsync());

        var bobPrompt = Input();
        Assert.DoesNotContain("4417", bobPrompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Miso", bobPrompt, StringComparison.Ordinal);
        // The user comes from the app, never from the session blob: alice's session under bob is a session of bob's.
        var stolen = await bob.DeserializeSessionAsync(await alice.SerializeSessionAsync(aliceSession));
        await bob.RunAsync("Show me this conversation.", stolen);
        Assert.DoesNotContain("4417", Input(), StringComparison.Ordinal);
        Assert.Equal(2, (await _memory.ForScope(await History(alice).GetScopeAsync(alice, aliceSession)).GetMessagesAsync()).Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_UserFromRunOptions_OneAgentServesTwoUsers()
    {
        var agent = NewAgent(user: null);
        var aliceSession = await agent.CreateSessionAsync();
        var bobSession = await agent.CreateSessionAsync();
        var forAlice = new AgentRunOptions { AdditionalProperties = new() { [LongMemoryAgentOptions.UserIdKey] = "alice" } };
        var forBob = new AgentRunOptions { AdditionalProperties = new() { [LongMemoryAgentOptions.UserIdKey] = "bob" } };

        await agent.RunAsync("My locker is number 311.", aliceSession, forAlice);
        await agent.RunAsync("Which locker is mine?", bobSession, forBob);

        Assert.DoesNotContain("311", Input(), StringComparison.Ordinal);
        Assert.Single(await _memory.ListSessionsAsync("alice"));
        Assert.Single(await _memory.ListSessionsAsync("bob"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ModelCallsAMemoryTool_SavesForTheSessionsUser()
    {
        var step = 0;
        _model.Respond = (messages, options) => ++step == 1
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "SaveToModelMemory", new Dictionary<string, object?> { ["content"] = "The user prefers aisle seats." })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Saved."));
        var agent = NewAgent("alice");
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("Remember that I prefer aisle seats.", session);

        var scope = await History(agent).GetScopeAsync(agent, session);
        Assert.Equal("The user prefers aisle seats.", Assert.Single(await _memory.ForScope(scope).GetModelMemoryAsync()).Content);
        Assert.Equal(4, (await _memory.ForScope(scope).GetMessagesAsync()).Count); // user, tool call, tool result, answer
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_AgentOverTheMemoryMiddleware_IsRefusedWithWhatToUseInstead()
    {
        var options = new ChatClientAgentOptions
        {
            ChatHistoryProvider = new LongMemoryChatHistoryProvider(_memory, new LongMemoryAgentOptions { UserId = "alice" }),
        };
        var agent = _model.WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsAIAgent(options);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await agent.RunAsync("Hi", await agent.CreateSessionAsync()));

        Assert.Contains("remove the middleware", error.Message, StringComparison.Ordinal);
        Assert.Empty(await _memory.ListSessionsAsync("alice"));
    }

    private ChatClientAgent NewAgent(string? user)
    {
        var options = new LongMemoryAgentOptions { UserId = user };
        return _model.AsAIAgent(new ChatClientAgentOptions
        {
            ChatHistoryProvider = new LongMemoryChatHistoryProvider(_memory, options),
            AIContextProviders = [new LongMemoryContextProvider(_memory, options)],
        });
    }

    // What the model received: the messages and the instructions (where the agent puts the recalled context).
    private string Input() => RecordingChatClient.TextOf(_model.LastPrompt) + "\n" + _model.LastOptions?.Instructions;

    private static LongMemoryChatHistoryProvider History(ChatClientAgent agent) => (LongMemoryChatHistoryProvider)agent.ChatHistoryProvider!;
}
