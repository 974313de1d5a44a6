using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatReduction;

public sealed class HierarchicalChatReducerTests
{
    private readonly WordTokenCounter _counter = new();

    [Fact]
    public void Constructor_MissingTokenBudget_ThrowsNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions()));
        Assert.Contains("TokenBudget", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.8, 0.8)]
    [InlineData(1.5, 0.5)]
    [InlineData(0.8, 0)]
    public void Constructor_InvalidRatios_Throws(double trigger, double target)
    {
        var options = new HierarchicalChatReducerOptions { TokenBudget = 4000, TriggerRatio = trigger, TargetRatio = target };
        Assert.Throws<ArgumentException>(() => new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, options));
    }

    [Fact]
    public void Constructor_SummaryMaxTokensTooLargeForBudget_Throws()
    {
        var options = new HierarchicalChatReducerOptions { TokenBudget = 1000, SummaryMaxTokens = 400 };
        var error = Assert.Throws<ArgumentException>(() => new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, options));
        Assert.Contains("SummaryMaxTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReduceAsync_UnderThreshold_MakesNoModelCallAndReturnsMessagesUnchanged()
    {
        var client = new TestChatClient();
        var reducer = new HierarchicalChatReducer(new ChatClientSummarizer(client, _counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 });
        var generator = new ConversationGenerator(1);
        var history = new List<ChatMessage> { new(ChatRole.System, "You are helpful.") };
        while (history.Count < 38)
        {
            history.AddRange(generator.NextTurn());
        }

        var reduced = (await reducer.ReduceAsync(history)).ToList();

        Assert.Equal(0, client.Calls);
        Assert.Equal(history, reduced);
    }

    [Fact]
    public async Task ReduceAsync_ThousandTurns_NeverOverBudgetAndBuildsLevelTwoSummaries()
    {
        var options = new HierarchicalChatReducerOptions { TokenBudget = 3000 };
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter));
        var reducer = new HierarchicalChatReducer(summarizer, _counter, options);
        var generator = new ConversationGenerator(7);
        var history = new List<ChatMessage> { new(ChatRole.System, "You are a careful assistant.") };
        var maxLevel = 0;
        var turns = 0;
        for (; turns < 1000; turns++)
        {
            history.AddRange(generator.NextTurn());
            var reduced = (await reducer.ReduceAsync(history)).ToList();

            Assert.True(_counter.CountTokens(reduced) <= options.TokenBudget, $"turn {turns}: {_counter.CountTokens(reduced)} tokens");
            Assert.Equal(ChatRole.System, reduced[0].Role);
            Assert.Equal("You are a careful assistant.", reduced[0].Text);
            Assert.Same(history[^1], reduced[^1]);
            maxLevel = Math.Max(maxLevel, reduced.Select(SummaryLevel).Max());
        }

        Assert.True(maxLevel >= 2, $"highest summary level was {maxLevel}");
        AssertCallBound(summarizer, history.Count(m => m.Role != ChatRole.System), options);
    }

    [Fact]
    public async Task ReduceAsync_ReducedOutputFedBack_KeepsSummariesAndStaysWithinBudget()
    {
        var options = new HierarchicalChatReducerOptions { TokenBudget = 2000 };
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter));
        var reducer = new HierarchicalChatReducer(summarizer, _counter, options);
        var generator = new ConversationGenerator(11);
        var history = new List<ChatMessage> { new(ChatRole.System, "Be brief.") };
        for (var turn = 0; turn < 300; turn++)
        {
            history.AddRange(generator.NextTurn());
            history = (await reducer.ReduceAsync(history)).ToList();
            Assert.True(_counter.CountTokens(history) <= options.TokenBudget);
        }

        Assert.Contains(history, m => SummaryLevel(m) >= 1);
        Assert.Equal("Be brief.", history[0].Text);
    }

    [Fact]
    public async Task ReduceAsync_DoesNotChangeCallerMessages()
    {
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 1000 });
        var generator = new ConversationGenerator(3, toolCallShare: 0.5);
        var history = new List<ChatMessage>();
        for (var turn = 0; turn < 60; turn++)
        {
            history.AddRange(generator.NextTurn());
        }

        var before = history.Select(Snapshot).ToList();

        var reduced = (await reducer.ReduceAsync(history)).ToList();

        Assert.True(reduced.Count < history.Count);
        Assert.Equal(before, history.Select(Snapshot).ToList());
        Assert.Contains(reduced, m => m.Text.Contains(HierarchicalChatReducer.SummaryLabel, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task ReduceAsync_GeneratedHistoriesWithToolCalls_NeverSplitsACallFromItsResults(int seed)
    {
        var random = new Random(seed);
        var options = new HierarchicalChatReducerOptions
        {
            TokenBudget = 1200 + random.Next(0, 2000),
            MaxLiveMessages = random.Next(6, 50),
            KeepLastTurns = random.Next(0, 4),
            BlockSize = random.Next(2, 14),
            FanIn = random.Next(2, 6),
        };
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, options);
        var generator = new ConversationGenerator(seed, toolCallShare: 0.6);
        var history = new List<ChatMessage>();
        for (var turn = 0; turn < 150; turn++)
        {
            history.AddRange(generator.NextTurn());
            var reduced = (await reducer.ReduceAsync(history)).ToList();

            var calls = reduced.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Select(c => c.CallId).ToHashSet();
            var results = reduced.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
            Assert.True(calls.SetEquals(results), $"seed {seed} turn {turn}: calls [{string.Join(",", calls)}] results [{string.Join(",", results)}]");
            Assert.True(_counter.CountTokens(reduced) <= options.TokenBudget);
        }
    }

    [Fact]
    public async Task ReduceAsync_CutsBeforeUserMessages()
    {
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter));
        var reducer = new HierarchicalChatReducer(summarizer, _counter, new HierarchicalChatReducerOptions { TokenBudget = 100_000, MaxLiveMessages = 20, BlockSize = 6 });
        var generator = new ConversationGenerator(5, toolCallShare: 0.3);
        var history = new List<ChatMessage>();
        while (history.Count <= 21)
        {
            history.AddRange(generator.NextTurn());
        }

        var reduced = (await reducer.ReduceAsync(history)).ToList();

        Assert.NotEmpty(summarizer.Requests);
        Assert.All(summarizer.Requests, r => Assert.Equal(ChatRole.User, r.Messages[0].Role));
        Assert.Equal(ChatRole.User, reduced.First(m => SummaryLevel(m) == 0).Role);
    }

    [Fact]
    public async Task ReduceAsync_SummarizerFails_ErrorSurfaces()
    {
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter)) { FailWith = new HttpRequestException("model down") };
        var reducer = new HierarchicalChatReducer(summarizer, _counter, new HierarchicalChatReducerOptions { TokenBudget = 1000 });
        var generator = new ConversationGenerator(2);
        var history = new List<ChatMessage>();
        for (var turn = 0; turn < 40; turn++)
        {
            history.AddRange(generator.NextTurn());
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => reducer.ReduceAsync(history));
    }

    internal static int SummaryLevel(ChatMessage message) =>
        message.AdditionalProperties?.TryGetValue(HierarchicalChatReducer.SummaryLevelPropertyName, out var level) == true ? (int)level! : 0;

    // Level-1 calls: about one per BlockSize messages (blocks snap to turn boundaries, so allow 15%). Roll-ups: each merges
    // FanIn summaries into one, so over a long chat they add at most a 1/(FanIn - 1) share, plus one partial roll-up per level.
    internal static void AssertCallBound(CountingSummarizer summarizer, int messages, HierarchicalChatReducerOptions options)
    {
        var levelOne = summarizer.CallsByLevel.GetValueOrDefault(1);
        var levels = summarizer.CallsByLevel.Keys.Max();
        var blocks = (double)messages / options.BlockSize;
        Assert.True(levelOne <= blocks * 1.15, $"{levelOne} level-1 calls for {messages} messages");
        var bound = blocks * options.FanIn / (options.FanIn - 1) + levels;
        Assert.True(summarizer.Calls <= bound, $"{summarizer.Calls} calls for {messages} messages, bound {bound:F0}");
    }

    private static string Snapshot(ChatMessage message) =>
        $"{message.Role}|{message.Text}|{message.Contents.Count}|{message.AdditionalProperties?.Count ?? 0}|" +
        string.Join(",", message.Contents.Select(c => c.GetType().Name));
}
