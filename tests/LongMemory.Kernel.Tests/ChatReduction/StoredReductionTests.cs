using System.Text.Json;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Tests.ChatReduction;

public sealed class StoredReductionTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly WordTokenCounter _counter = new();

    public void Dispose() => _temp.Dispose();

    private SqliteSessionStore Store() => new(_temp.Database);

    [Fact]
    public async Task ReduceSessionAsync_ThousandTurns_NeverOverBudgetWithRollUpsAndBoundedCalls()
    {
        var store = Store();
        var options = new HierarchicalChatReducerOptions { TokenBudget = 8000 };
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter));
        var reducer = new HierarchicalChatReducer(summarizer, _counter, options, store, store);
        var scope = await NewSessionAsync(store, "u1");
        await AppendAsync(store, scope, [new ChatMessage(ChatRole.System, "You are a careful assistant.")]);
        var generator = new ConversationGenerator(42);
        var messages = 0;
        for (var turn = 0; turn < 1000; turn++)
        {
            var next = generator.NextTurn();
            messages += next.Count;
            await AppendAsync(store, scope, next);
            var result = await reducer.ReduceSessionAsync(scope);

            var live = await LiveContextTokensAsync(store, scope);
            Assert.Equal(live, result.TokensAfter);
            Assert.True(live <= options.TokenBudget, $"turn {turn}: {live} tokens");
        }

        var all = await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false);
        Assert.Contains(all, s => s.Level >= 2);
        Assert.All(all.Where(s => !s.IsActive), s => Assert.NotNull(s.ParentId));
        Assert.Equal(messages + 1, (await store.GetMessagesAsync(scope.Owner, scope.SessionId!)).Count);
        HierarchicalChatReducerTests.AssertCallBound(summarizer, messages, options);
        output.WriteLine($"1000 turns, {messages} messages, budget {options.TokenBudget}: {summarizer.Calls} summarizer calls ({string.Join(", ", summarizer.CallsByLevel.OrderBy(k => k.Key).Select(k => $"L{k.Key}={k.Value}"))})");
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public async Task ReduceSessionAsync_ToolCalls_CallAndResultsAlwaysShareTrimmedState(int seed)
    {
        var store = Store();
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 1500, MaxLiveMessages = 12, BlockSize = 5, KeepLastTurns = 1 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(seed, toolCallShare: 0.7);
        for (var turn = 0; turn < 80; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
            await reducer.ReduceSessionAsync(scope);

            var stored = await store.GetMessagesAsync(scope.Owner, scope.SessionId!);
            var trimmedByCall = new Dictionary<string, bool>();
            foreach (var message in stored)
            {
                foreach (var content in StoredMessageMapper.ToChatMessage(message).Contents)
                {
                    if (content is FunctionCallContent call)
                    {
                        trimmedByCall[call.CallId] = message.IsTrimmed;
                    }
                    else if (content is FunctionResultContent result)
                    {
                        Assert.Equal(trimmedByCall[result.CallId], message.IsTrimmed);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task RestoreSummaryAsync_BringsMessagesBackVerbatimAndNextRoundRetrimsWithoutSummarizing()
    {
        var store = Store();
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter));
        var options = new HierarchicalChatReducerOptions { TokenBudget = 6000, MaxLiveMessages = 20, BlockSize = 6 };
        var reducer = new HierarchicalChatReducer(summarizer, _counter, options, store, store);
        var restorer = new ConversationRestorer(store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(9, toolCallShare: 0.4);
        var original = new List<StoredMessage>();
        for (var turn = 0; turn < 40; turn++)
        {
            original.AddRange(await AppendAsync(store, scope, generator.NextTurn()));
            await reducer.ReduceSessionAsync(scope);
        }

        var summary = (await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false)).First(s => s.Level == 2 && s.IsActive);

        var restored = await restorer.RestoreSummaryAsync(scope, summary.Id);

        var expected = original.Where(m => m.Id >= summary.FirstMessageId && m.Id <= summary.LastMessageId).ToList();
        Assert.Equal(expected.Select(m => m.Id), restored.Select(m => m.Id));
        var live = await store.GetMessagesAsync(scope.Owner, scope.SessionId!, new MessageQuery { IncludeTrimmed = false });
        foreach (var message in expected)
        {
            var back = Assert.Single(live, m => m.Id == message.Id);
            Assert.Equal(message.Content, back.Content);
            Assert.Equal(message.ContentsJson, back.ContentsJson);
            Assert.Equal(message.Role, back.Role);
        }

        var callsBefore = summarizer.Calls;
        var levelOneBefore = summarizer.CallsByLevel.GetValueOrDefault(1);
        var lastSummaryIdBefore = (await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false)).Max(s => s.Id);
        var result = await reducer.ReduceSessionAsync(scope);

        Assert.True(result.Reduced);
        Assert.Equal(expected.Count, result.MessagesRetrimmed);

        // The round may go on to summarize newer live messages, but never the restored ones again.
        var newSummaries = (await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false)).Where(s => s.Level == 1 && s.Id > lastSummaryIdBefore).ToList();
        Assert.Equal(summarizer.CallsByLevel.GetValueOrDefault(1) - levelOneBefore, newSummaries.Count);
        Assert.All(newSummaries, s => Assert.True(s.FirstMessageId > summary.LastMessageId));
        Assert.All(summarizer.Requests.Skip(callsBefore).SelectMany(r => r.Messages), m => Assert.DoesNotContain(expected, e => e.Content.Length > 0 && e.Content == m.Text));
        var liveAfter = await store.GetMessagesAsync(scope.Owner, scope.SessionId!, new MessageQuery { IncludeTrimmed = false });
        Assert.DoesNotContain(liveAfter, m => m.Id <= summary.LastMessageId);
    }

    [Fact]
    public async Task RestoreAsync_ToolResultId_RestoresItsCallToo()
    {
        var store = Store();
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 6000 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(4, toolCallShare: 1.0);
        for (var turn = 0; turn < 10; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        await reducer.CompactAsync(scope);
        var all = await store.GetMessagesAsync(scope.Owner, scope.SessionId!);
        var result = all.First(m => m.IsTrimmed && m.Role == ChatRole.Tool);

        var restored = await new ConversationRestorer(store, store).RestoreAsync(scope, [result.Id]);

        Assert.Contains(restored, m => m.Id == result.Id);
        Assert.Contains(restored, m => m.Role == ChatRole.Assistant && m.ContentsJson is not null && m.Id < result.Id);
    }

    [Fact]
    public async Task ReduceSessionAsync_UnderThreshold_MakesNoModelCall()
    {
        var store = Store();
        var client = new TestChatClient();
        var reducer = new HierarchicalChatReducer(new ChatClientSummarizer(client, _counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(1);
        for (var turn = 0; turn < 12; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
            var result = await reducer.ReduceSessionAsync(scope);
            Assert.False(result.Reduced);
        }

        Assert.Equal(0, client.Calls);
        Assert.Empty(await store.GetSummariesAsync(scope.Owner, scope.SessionId!));
    }

    [Fact]
    public async Task ReduceSessionAsync_SummarizerFails_LeavesStoreUnchangedAndSurfacesError()
    {
        var store = Store();
        var summarizer = new CountingSummarizer(new ExtractiveSummarizer(_counter)) { FailWith = new InvalidOperationException("model down") };
        var reducer = new HierarchicalChatReducer(summarizer, _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(1);
        for (var turn = 0; turn < 30; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => reducer.ReduceSessionAsync(scope));

        Assert.Equal("model down", error.Message);
        Assert.Equal(1, summarizer.Calls);
        Assert.Empty(await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false));
        Assert.DoesNotContain(await store.GetMessagesAsync(scope.Owner, scope.SessionId!), m => m.IsTrimmed);
    }

    [Fact]
    public async Task ReduceSessionAsync_ModelFailsWithFallback_SummarizesExtractively()
    {
        var store = Store();
        var client = new TestChatClient { Respond = (_, _) => throw new HttpRequestException("connection refused") };
        var fallback = new FallbackSummarizer(new ChatClientSummarizer(client, _counter), new ExtractiveSummarizer(_counter));
        var reducer = new HierarchicalChatReducer(fallback, _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(1);
        for (var turn = 0; turn < 30; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        var result = await reducer.ReduceSessionAsync(scope);

        Assert.True(result.SummariesCreated > 0);
        Assert.True(client.Calls > 0);
        Assert.Equal(result.SummarizationCalls, fallback.FallbackCount);
        var summary = (await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: false)).First(s => s.Level == 1);
        Assert.StartsWith("User: Turn 1:", summary.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SummarizeOldestAsync_CountInsideToolGroup_ExtendsToTheWholeGroup()
    {
        var store = Store();
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store);
        var scope = await NewSessionAsync(store, "u1");
        await AppendAsync(store, scope, [new ChatMessage(ChatRole.User, "Weather in Lisbon and Osaka?")]);
        await AppendAsync(store, scope,
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Lisbon" }), new FunctionCallContent("c2", "get_weather", new Dictionary<string, object?> { ["city"] = "Osaka" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "21 degrees")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c2", "14 degrees")]),
            new ChatMessage(ChatRole.Assistant, "Lisbon 21, Osaka 14."),
        ]);
        var generator = new ConversationGenerator(3, toolCallShare: 0);
        for (var turn = 0; turn < 5; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        var result = await reducer.SummarizeOldestAsync(scope, 2);

        Assert.Equal(4, result.MessagesTrimmed);
        var messages = await store.GetMessagesAsync(scope.Owner, scope.SessionId!);
        Assert.Equal([true, true, true, true, false], messages.Take(5).Select(m => m.IsTrimmed));
    }

    [Fact]
    public async Task CompactAsync_BelowTrigger_ReducesToTarget()
    {
        var store = Store();
        var options = new HierarchicalChatReducerOptions { TokenBudget = 8000 };
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, options, store, store);
        var scope = await NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(8, toolCallShare: 0);
        for (var turn = 0; turn < 15; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        Assert.False((await reducer.ReduceSessionAsync(scope)).Reduced);

        var result = await reducer.CompactAsync(scope);

        Assert.True(result.Reduced);
        Assert.True(result.MessagesTrimmed > 0);
        Assert.True(result.LiveMessagesAfter <= options.MaxLiveMessages * options.TargetRatio);
    }

    [Fact]
    public async Task ReduceSessionAsync_OtherUsersSession_ThrowsSessionNotFound()
    {
        var store = Store();
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store);
        var scope = await NewSessionAsync(store, "alice");

        await Assert.ThrowsAsync<SessionNotFoundException>(() => reducer.ReduceSessionAsync(MemoryScope.For("mallory", scope.SessionId!)));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => new ConversationRestorer(store, store).RestoreAsync(MemoryScope.For("mallory", scope.SessionId!), [1]));
    }

    [Fact]
    public async Task ReduceSessionAsync_WithKnowledgeCapture_RecordsFactsFromSummarizedMessages()
    {
        var store = Store();
        var knowledge = new SqliteKnowledgeStore(_temp.Database);
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(_counter), _counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store, new KnowledgeCapture(knowledge));
        var scope = await NewSessionAsync(store, "u1");
        await AppendAsync(store, scope, [new ChatMessage(ChatRole.User, "Hi, my name is Priya and I live in Porto."), new ChatMessage(ChatRole.Assistant, "Nice to meet you, Priya.")]);
        var generator = new ConversationGenerator(8);
        for (var turn = 0; turn < 25; turn++)
        {
            await AppendAsync(store, scope, generator.NextTurn());
        }

        var result = await reducer.ReduceSessionAsync(scope);

        Assert.True(result.FactsCaptured >= 2);
        Assert.Equal("Priya", (await knowledge.GetCurrentAsync(MemoryOwner.User("u1"), "name")).Single().Value);
        Assert.Equal("Porto", (await knowledge.GetCurrentAsync(MemoryOwner.User("u1"), "location")).Single().Value);
    }

    internal static async Task<MemoryScope> NewSessionAsync(ISessionStore store, string user)
    {
        var session = await store.CreateSessionAsync(MemoryOwner.User(user), null, "test");
        return MemoryScope.For(user, session.Id);
    }

    internal static Task<IReadOnlyList<StoredMessage>> AppendAsync(IMessageStore store, MemoryScope scope, IReadOnlyList<ChatMessage> messages)
    {
        var news = messages.Select(m =>
        {
            var nonText = m.Contents.Where(c => c is not TextContent).ToList();
            return new NewMessage
            {
                Role = m.Role,
                Content = m.Text,
                MessageType = m.Role == ChatRole.System ? StoredMessageType.System : m.Role == ChatRole.Tool || nonText.Count > 0 ? StoredMessageType.Tool : StoredMessageType.Chat,
                ContentsJson = nonText.Count > 0 ? JsonSerializer.Serialize<IList<AIContent>>(nonText, AIJsonUtilities.DefaultOptions) : null,
            };
        }).ToList();
        return store.AppendMessagesAsync(scope.Owner, scope.SessionId!, news);
    }

    private async Task<int> LiveContextTokensAsync(SqliteSessionStore store, MemoryScope scope)
    {
        var live = await store.GetMessagesAsync(scope.Owner, scope.SessionId!, new MessageQuery { IncludeTrimmed = false });
        var summaries = await store.GetSummariesAsync(scope.Owner, scope.SessionId!);
        var messages = summaries.Select(s => new ChatMessage(ChatRole.System, $"[{HierarchicalChatReducer.SummaryLabel}, level {s.Level}]\n{s.Content}"))
            .Concat(live.Select(StoredMessageMapper.ToChatMessage));
        return _counter.CountTokens(messages);
    }
}
