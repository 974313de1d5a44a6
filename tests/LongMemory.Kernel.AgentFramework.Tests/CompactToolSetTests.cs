using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.AgentFramework.Tests;

/// <summary>The context provider offers the compact memory tools when asked to (MemoryToolSet.Compact).</summary>
public sealed class CompactToolSetTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();
    private readonly RecordingChatClient _model = new();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_CompactMemoryTools_ModelOfferedOnlyThoseAndRememberSavesForTheSessionsUser()
    {
        var step = 0;
        _model.Respond = (messages, options) => ++step == 1
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "Remember", new Dictionary<string, object?> { ["content"] = "The user prefers aisle seats." })]))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Saved."));
        var options = new LongMemoryAgentOptions { UserId = "alice", MemoryTools = MemoryToolSet.Compact };
        var history = new LongMemoryChatHistoryProvider(_memory, options);
        var agent = _model.AsAIAgent(new ChatClientAgentOptions { ChatHistoryProvider = history, AIContextProviders = [new LongMemoryContextProvider(_memory, options)] });
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("Remember that I prefer aisle seats.", session);

        Assert.Equal(["Remember", "Recall", "Forget"], _model.LastOptions!.Tools!.Select(t => t.Name));
        var scope = await history.GetScopeAsync(agent, session);
        Assert.Equal("The user prefers aisle seats.", Assert.Single(await _memory.ForScope(scope).GetModelMemoryAsync()).Content);
        Assert.Empty(await _memory.ListSessionsAsync("bob"));
    }

    [Fact]
    public void LongMemoryContextProvider_UndefinedMemoryTools_ThrowsAtConstructionNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LongMemoryContextProvider(_memory, new LongMemoryAgentOptions { MemoryTools = (MemoryToolSet)3 }));

        Assert.Equal(nameof(LongMemoryAgentOptions.MemoryTools), error.ParamName);
    }
}
