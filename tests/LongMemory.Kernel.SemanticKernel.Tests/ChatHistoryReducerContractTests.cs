using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using MEAI = Microsoft.Extensions.AI;

namespace LongMemory.Kernel.SemanticKernel.Tests;

/// <summary>
/// The guarantees Semantic Kernel's own reducers (ChatHistoryTruncationReducer, ChatHistorySummarizationReducer) give,
/// run against them and against ours: the system message stays, a function call keeps its result, nothing happens under
/// the threshold, and an already reduced history comes back as null (unchanged).
/// </summary>
public sealed class ChatHistoryReducerContractTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = Scripted.NewMemory(o => o.Reduction.TokenBudget = 100_000);
    private readonly RecordingChatClient _summarizerModel = new() { Respond = (_, _) => Scripted.Text("Earlier: the user and the assistant talked about trips.") };

    public static TheoryData<string> Reducers => new() { "sk-truncation", "sk-summarization", "longmemory-in-memory", "longmemory-store" };

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Reducers))]
    public async Task ReduceAsync_UnderThreshold_ReturnsNull(string name)
    {
        var reducer = await CreateAsync(name);
        var history = History(turns: 15);

        Assert.Null(await reducer.ReduceAsync(history));
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Reducers))]
    public async Task ReduceAsync_OverThreshold_KeepsSystemMessageFirstAndTheNewestMessage(string name)
    {
        var reducer = await CreateAsync(name);
        var history = History(turns: 60);

        var reduced = (await reducer.ReduceAsync(history))?.ToList();

        Assert.NotNull(reduced);
        Assert.True(reduced.Count < history.Count, $"{reduced.Count} of {history.Count}");
        Assert.Same(history[0], reduced[0]);
        Assert.Same(history[^1], reduced[^1]);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Reducers))]
    public async Task ReduceAsync_NeverSeparatesAFunctionCallFromItsResult(string name)
    {
        var reducer = await CreateAsync(name);
        for (var turns = 41; turns <= 70; turns += 3)
        {
            var history = History(turns);
            var reduced = (await reducer.ReduceAsync(history))?.ToList() ?? [.. history];

            var calls = reduced.SelectMany(m => m.Items.OfType<FunctionCallContent>()).Select(c => c.Id).ToHashSet();
            var results = reduced.SelectMany(m => m.Items.OfType<FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
            Assert.True(calls.SetEquals(results), $"{name} at {turns} turns: calls [{string.Join(",", calls)}] results [{string.Join(",", results)}]");
        }
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Reducers))]
    public async Task ReduceInPlaceAsync_ReducedHistory_IsUnchangedOnTheNextCall(string name)
    {
        var reducer = await CreateAsync(name);
        var history = new ChatHistory(History(turns: 60));

        Assert.True(await history.ReduceInPlaceAsync(reducer, CancellationToken.None));
        var reducedCount = history.Count;
        Assert.False(await history.ReduceInPlaceAsync(reducer, CancellationToken.None));
        Assert.Equal(reducedCount, history.Count);
    }

    private async Task<IChatHistoryReducer> CreateAsync(string name)
    {
        var service = _summarizerModel.AsChatCompletionService();
        switch (name)
        {
            case "sk-truncation":
                return new ChatHistoryTruncationReducer(targetCount: 20, thresholdCount: 20);
            case "sk-summarization":
                return new ChatHistorySummarizationReducer(service, targetCount: 20, thresholdCount: 20);
            case "longmemory-in-memory":
                return LongMemoryChatHistoryReducer.Create(service, tokenBudget: 100_000);
            default:
                var session = await _memory.CreateSessionAsync("alice");
                return new LongMemoryChatHistoryReducer(_memory, session.Scope);
        }
    }

    /// <summary>A system message and user/assistant turns; every fifth turn the assistant calls a tool first.</summary>
    internal static List<ChatMessageContent> History(int turns)
    {
        var history = new List<ChatMessageContent> { new(AuthorRole.System, "You are a travel assistant.") };
        for (var i = 0; i < turns; i++)
        {
            history.Add(new ChatMessageContent(AuthorRole.User, $"Turn {i}: tell me about city number {i}."));
            if (i % 5 == 2)
            {
                var id = "call-" + i;
                history.Add(new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent("Lookup", "travel", id, new KernelArguments { ["city"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })]));
                history.Add(new ChatMessageContent(AuthorRole.Tool, [new FunctionResultContent("Lookup", "travel", id, $"City {i} has {i * 3} museums.")]));
            }

            history.Add(new ChatMessageContent(AuthorRole.Assistant, $"City {i} is lovely in spring."));
        }

        return history;
    }

    internal static int Tokens(ITokenCounter counter, IEnumerable<ChatMessageContent> history)
        => counter.CountTokens(history.Select(m => m.ToChatMessage()).ToList<MEAI.ChatMessage>());
}
