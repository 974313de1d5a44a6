using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LongMemory.Kernel.SemanticKernel.Tests;

public sealed class LongMemoryChatHistoryReducerTests : IAsyncDisposable
{
    private const int Budget = 4_000;
    private readonly ChatMemory _memory = Scripted.NewMemory(o => o.Reduction.TokenBudget = Budget);

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task ReduceInPlaceAsync_StoreBacked_500Turns_StaysInsideTheBudgetAndKeepsEveryMessage()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var reducer = new LongMemoryChatHistoryReducer(_memory, session.Scope);
        var history = new ChatHistory("You are a helpful assistant.");
        var peak = 0;
        for (var i = 0; i < 500; i++)
        {
            history.AddUserMessage($"Message {i}: my note number {i} is about topic {i % 17} and is worth keeping.");
            history.AddAssistantMessage($"Answer {i}: noted, topic {i % 17}.");
            await history.ReduceInPlaceAsync(reducer, CancellationToken.None);
            peak = Math.Max(peak, ChatHistoryReducerContractTests.Tokens(_memory.TokenCounter, history));
        }

        Assert.True(peak <= Budget, $"peak {peak} tokens, budget {Budget}");
        Assert.Equal(AuthorRole.System, history[0].Role);
        Assert.Equal("Answer 499: noted, topic 6.", history[^1].Content);
        Assert.Equal(1000, (await _memory.ForScope(session.Scope).GetMessagesAsync()).Count); // trimmed, never lost
        Assert.NotEmpty(await _memory.ForScope(session.Scope).GetSummariesAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task ReduceInPlaceAsync_InMemory_500Turns_StaysInsideTheBudget()
    {
        var summarizer = new RecordingChatClient { Respond = (_, _) => Scripted.Text("The user kept notes about many topics.") };
        var reducer = LongMemoryChatHistoryReducer.Create(summarizer.AsChatCompletionService(), Budget);
        var counter = TiktokenTokenCounter.CreateO200kBase();
        var history = new ChatHistory("You are a helpful assistant.");
        var peak = 0;
        for (var i = 0; i < 500; i++)
        {
            history.AddUserMessage($"Message {i}: my note number {i} is about topic {i % 17} and is worth keeping.");
            history.AddAssistantMessage($"Answer {i}: noted, topic {i % 17}.");
            await history.ReduceInPlaceAsync(reducer, CancellationToken.None);
            peak = Math.Max(peak, ChatHistoryReducerContractTests.Tokens(counter, history));
        }

        Assert.True(peak <= Budget, $"peak {peak} tokens, budget {Budget}");
        Assert.Equal(AuthorRole.System, history[0].Role);
        Assert.Equal("Answer 499: noted, topic 6.", history[^1].Content);
        Assert.True(summarizer.Prompts.Count < 200, $"{summarizer.Prompts.Count} summarizer calls for 1,000 messages");
    }

    [Fact(Timeout = 60_000)]
    public async Task ReduceAsync_StoreBacked_TrimmedMessagesAreRestorableAndFactsCaptured()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var reducer = new LongMemoryChatHistoryReducer(_memory, session.Scope);
        var history = new ChatHistory();
        history.AddUserMessage("My name is Alice and I live in Lisbon.");
        history.AddAssistantMessage("Nice to meet you, Alice.");
        for (var i = 0; i < 30; i++)
        {
            history.AddUserMessage($"Question {i} about the weather.");
            history.AddAssistantMessage($"Reply {i}: sunny.");
        }

        var reduced = (await history.ReduceAsync(reducer, CancellationToken.None)).ToList();

        Assert.True(reduced.Count < history.Count);
        Assert.DoesNotContain(reduced, m => m.Content == "My name is Alice and I live in Lisbon.");
        Assert.Contains(await _memory.ForScope(MemoryScope.ForUser("alice")).GetKnowledgeAsync(), k => k.Value.Contains("Lisbon", StringComparison.OrdinalIgnoreCase));
        var summary = (await _memory.ForScope(session.Scope).GetSummariesAsync()).First();
        Assert.True(await _memory.ForScope(session.Scope).RestoreSummaryAsync(summary.Id) > 0);
        Assert.Equal(62, history.Count); // ReduceAsync leaves the caller's history as it was
    }

    [Fact(Timeout = 30_000)]
    public async Task ReduceAsync_StoreBacked_AnotherUsersSessionId_RecordsIntoTheCallersOwnSession()
    {
        var bobs = await _memory.CreateSessionAsync("bob");
        await _memory.ForScope(bobs.Scope).AddMessagesAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "Bob's secret.")]);
        var reducer = new LongMemoryChatHistoryReducer(_memory, MemoryScope.For("alice", bobs.Id));

        Assert.Null(await reducer.ReduceAsync(ChatHistoryReducerContractTests.History(2)));

        Assert.Single(await _memory.ForScope(bobs.Scope).GetMessagesAsync());
        Assert.Equal(4, (await _memory.ForScope(MemoryScope.For("alice", bobs.Id)).GetMessagesAsync()).Count);
    }
}
