using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Memory;

public class ChatMemoryTests
{
    [Fact]
    public async Task AddMessagesAsync_Inline_IndexesBeforeReturning()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My sister Marta plays the cello in Porto.")]);

        var status = await test.Memory.ForScope(session.Scope).GetIndexStatusAsync();
        Assert.Equal(1, status.Indexed);
        var hits = await test.Memory.ForScope(session.Scope).RecallAsync("who plays the cello?");
        Assert.Contains(hits, h => h.Text.Contains("cello", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddMessagesAsync_Background_IndexedAfterWhenIdle()
    {
        await using var test = new TestMemory(o => o.IndexingMode = IndexingMode.Background);
        var session = await test.Memory.CreateSessionAsync("alice");

        for (var i = 0; i < 30; i++)
        {
            await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, $"Note number {i} about gardening tomatoes.")]);
        }

        await test.Memory.WhenIdleAsync();
        var status = await test.Memory.ForScope(session.Scope).GetIndexStatusAsync();
        Assert.Equal(30, status.Indexed);
        Assert.Equal(0, status.Pending);
    }

    [Fact]
    public async Task StartAsync_PendingMessagesFromCrash_IndexedOnNextStart()
    {
        var flaky = new FlakyEmbeddingGenerator(new HashingEmbeddingGenerator());
        await using var test = new TestMemory(embedder: flaky);
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.StartAsync();

        // Stored but never indexed, as when the process dies between the two steps.
        await test.Memory.Messages.AppendMessagesAsync(session.Owner, session.Id, [new NewMessage { Role = ChatRole.User, Content = "The spare key is under the blue flowerpot." }]);
        Assert.Equal(1, (await test.Memory.ForScope(session.Scope).GetIndexStatusAsync()).Pending);

        var restarted = await test.RestartAsync();
        await restarted.StartAsync();

        Assert.Equal(1, (await restarted.ForScope(session.Scope).GetIndexStatusAsync()).Indexed);
        var hits = await restarted.ForScope(session.Scope).RecallAsync("where is the spare key");
        Assert.Contains(hits, h => h.Text.Contains("flowerpot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddMessagesAsync_EmbeddingFails_MessageStoredFailedThenRetried()
    {
        var flaky = new FlakyEmbeddingGenerator(new HashingEmbeddingGenerator());
        var clock = new LongMemory.Kernel.Tests.Storage.ManualClock(DateTimeOffset.UtcNow);
        await using var test = new TestMemory(embedder: flaky, build: b => b.UseTimeProvider(clock));
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.StartAsync();

        flaky.Failing = true;
        var stored = await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My passport number ends in 4471.")]);

        Assert.Single(stored);
        var failed = await test.Memory.ForScope(session.Scope).GetIndexStatusAsync();
        Assert.Equal(1, failed.Failed);
        Assert.Contains("embedding service unavailable", failed.LastError, StringComparison.Ordinal);
        var messages = await test.Memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal("My passport number ends in 4471.", Assert.Single(messages).Content);

        flaky.Failing = false;
        Assert.Equal(0, await test.Memory.ProcessIndexBacklogAsync()); // not due yet: back-off
        clock.Advance(TimeSpan.FromMinutes(1));
        var processed = await test.Memory.ProcessIndexBacklogAsync();

        Assert.Equal(1, processed);
        Assert.Equal(1, (await test.Memory.ForScope(session.Scope).GetIndexStatusAsync()).Indexed);
    }

    [Fact]
    public async Task AddMessagesAsync_IdenticalContentTwice_IndexedOnce()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "ok thanks")]);
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "ok thanks")]);

        Assert.Equal(2, (await test.Memory.ForScope(session.Scope).GetMessagesAsync()).Count);
        var items = await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.Logs] });
        Assert.Equal(1, items);
    }

    [Fact]
    public async Task AddMessagesAsync_LongMessage_ChunkedAndReassembledInRecall()
    {
        await using var test = new TestMemory(o => o.ChunkMaxTokens = 32);
        var session = await test.Memory.CreateSessionAsync("alice");
        var text = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"Sentence {i} talks about item {i}.")) + " The secret word is pomegranate.";

        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, text)]);

        var chunks = await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.Logs] });
        Assert.True(chunks > 5, $"expected several chunks, got {chunks}");
        var hit = Assert.Single(await test.Memory.ForScope(session.Scope).RecallAsync("secret word pomegranate", new RecallOptions { TopK = 1 }));
        Assert.Equal(text, hit.Text);
    }

    [Fact]
    public async Task RecallAsync_TwoUsersNearIdenticalContent_NeverCross()
    {
        await using var test = new TestMemory();
        var alice = await test.Memory.CreateSessionAsync("alice");
        var bob = await test.Memory.CreateSessionAsync("bob");
        await test.Memory.ForScope(alice.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My bank PIN is 1111 and my dog is Rex.")]);
        await test.Memory.ForScope(bob.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My bank PIN is 2222 and my dog is Rex.")]);

        var aliceHits = await test.Memory.ForScope(MemoryScope.ForUser("alice")).RecallAsync("bank PIN dog Rex", new RecallOptions { Collections = MemoryCollections.All, TopK = 20 });
        var bobHits = await test.Memory.ForScope(MemoryScope.ForUser("bob")).RecallAsync("bank PIN dog Rex", new RecallOptions { Collections = MemoryCollections.All, TopK = 20 });

        Assert.NotEmpty(aliceHits);
        Assert.DoesNotContain(aliceHits, h => h.Text.Contains("2222", StringComparison.Ordinal));
        Assert.DoesNotContain(bobHits, h => h.Text.Contains("1111", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecallAsync_AnonymousSessions_DoNotSeeEachOther()
    {
        await using var test = new TestMemory();
        var first = await test.Memory.CreateSessionAsync(null);
        var second = await test.Memory.CreateSessionAsync(null);
        await test.Memory.ForScope(first.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "The vault code is 8812.")]);

        var hits = await test.Memory.ForScope(second.Scope).RecallAsync("vault code");

        Assert.Empty(hits);
    }

    [Fact]
    public async Task RecallAsync_CurrentSessionRankedAboveOtherSessions()
    {
        await using var test = new TestMemory();
        var older = await test.Memory.CreateSessionAsync("alice");
        var current = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(older.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "We planned the trip to Japan in spring.")]);
        await test.Memory.ForScope(current.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "We planned the trip to Japan in autumn.")]);

        var hits = await test.Memory.ForScope(current.Scope).RecallAsync("trip to Japan");

        Assert.Equal(2, hits.Count);
        Assert.True(hits[0].FromCurrentSession);
        Assert.Contains("autumn", hits[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecallAsync_SoftDeletedSession_HiddenUntilRestored()
    {
        await using var test = new TestMemory();
        var gone = await test.Memory.CreateSessionAsync("alice");
        var current = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(gone.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My locker combination is 3-14-15.")]);

        await test.Memory.DeleteSessionAsync(gone.Scope);
        Assert.Empty(await test.Memory.ForScope(current.Scope).RecallAsync("locker combination"));
        Assert.DoesNotContain(await test.Memory.ListSessionsAsync("alice"), s => s.Id == gone.Id);

        await test.Memory.RestoreSessionAsync(gone.Scope);
        Assert.NotEmpty(await test.Memory.ForScope(current.Scope).RecallAsync("locker combination"));
    }

    [Fact]
    public async Task DeleteSessionAsync_Hard_PurgesRowsAndIndexItems()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My name is Alice and I live in Lisbon.")]);
        await test.Memory.ForScope(session.Scope).ImportDocumentAsync("d1", "Notes", "Lisbon has seven hills.");

        await test.Memory.DeleteSessionAsync(session.Scope, hard: true);

        Assert.Null(await test.Memory.Sessions.GetSessionAsync(session.Owner, session.Id, includeDeleted: true));
        Assert.Equal(0, await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { SessionId = session.Id }));
        Assert.Empty(await test.Memory.ForScope(MemoryScope.ForUser("alice")).GetKnowledgeAsync());
        Assert.Equal(0, await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.Knowledge] }));
    }

    [Fact]
    public async Task RecallAsync_NeighborTurns_ReturnsSurroundingMessages()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([
            new ChatMessage(ChatRole.User, "What should I cook tonight?"),
            new ChatMessage(ChatRole.Assistant, "How about a mushroom risotto?"),
            new ChatMessage(ChatRole.User, "Great, I have arborio rice."),
        ]);

        var hit = (await test.Memory.ForScope(session.Scope).RecallAsync("mushroom risotto", new RecallOptions { TopK = 1, NeighborTurns = 1 }))[0];

        Assert.Equal(3, hit.Neighbors.Count);
        Assert.Contains("cook tonight", hit.Neighbors[0].Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMessagesAsync_OtherUsersSession_ThrowsNotFound()
    {
        await using var test = new TestMemory();
        var alice = await test.Memory.CreateSessionAsync("alice");

        await Assert.ThrowsAsync<SessionNotFoundException>(() =>
            test.Memory.ForScope(new MemoryScope("mallory", alice.Id)).AddMessagesAsync([new ChatMessage(ChatRole.User, "hi")]));
        await Assert.ThrowsAsync<SessionNotFoundException>(() =>
            test.Memory.ForScope(MemoryScope.For("alice", "no-such-session")).AddMessagesAsync([new ChatMessage(ChatRole.User, "hi")]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AddMessagesAsync_EmptyContent_ThrowsArgumentException(string content)
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, content)]));
        Assert.Equal("messages", error.ParamName);
    }

    [Fact]
    public async Task RecallAsync_QuerySyntaxCharacters_SearchableWithoutErrors()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        const string tricky = "He said \"NEAR(a b)\" -x * OR 'quoted'; DROP TABLE messages; --";
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, tricky)]);

        var hits = await test.Memory.ForScope(session.Scope).RecallAsync("\"NEAR(a b)\" -x * OR");

        Assert.Equal(tricky, Assert.Single(hits).Text);
    }

    [Fact]
    public async Task SaveModelMemoryAsync_NearDuplicate_UpdatesInsteadOfAdding()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        var first = await test.Memory.ForScope(session.Scope).SaveModelMemoryAsync("The user prefers vegetarian recipes without mushrooms.");
        var second = await test.Memory.ForScope(session.Scope).SaveModelMemoryAsync("The user prefers vegetarian recipes, without mushrooms.");
        var other = await test.Memory.ForScope(session.Scope).SaveModelMemoryAsync("The user's daughter starts school in September.");

        Assert.Equal(first.Id, second.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(2, (await test.Memory.ForScope(session.Scope).GetModelMemoryAsync()).Count);
        Assert.Equal(2, await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.ModelMemory] }));
    }

    [Fact]
    public async Task AddMessagesAsync_UserStatesFacts_KnowledgeCapturedAndSuperseded()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "I live in Lisbon.")]);
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "I moved to Berlin last month.")]);

        var current = await test.Memory.ForScope(session.Scope).GetKnowledgeAsync("location");
        Assert.Contains("Berlin", Assert.Single(current).Value, StringComparison.Ordinal);
        var history = await test.Memory.ForScope(session.Scope).GetKnowledgeHistoryAsync("location");
        Assert.Equal(2, history.Count);
        Assert.False(history[0].IsCurrent);
        var hits = await test.Memory.ForScope(session.Scope).RecallAsync("where does she live", new RecallOptions { Collections = [MemoryCollections.Knowledge] });
        Assert.DoesNotContain(hits, h => h.Text.Contains("Lisbon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportDocumentAsync_Reimport_ReplacesChunks()
    {
        await using var test = new TestMemory(o => o.ChunkMaxTokens = 16);
        var session = await test.Memory.CreateSessionAsync("alice");

        await test.Memory.ForScope(session.Scope).ImportDocumentAsync("manual", "Manual", string.Join(" ", Enumerable.Range(0, 20).Select(i => $"Step {i} turns valve {i}.")));
        var replaced = await test.Memory.ForScope(session.Scope).ImportDocumentAsync("manual", "Manual", "Only one step now.");

        Assert.Equal(1, replaced);
        Assert.Equal(1, await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.Documents] }));
    }

    [Fact]
    public async Task StartAsync_OtherEmbeddingModelOnSameDatabase_RefusesClearly()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "indexed with the default embedder")]);
        await test.Memory.DisposeAsync();

        await using var other = new ChatMemoryBuilder()
            .UseSqlite(test.DatabasePath)
            .UseEmbeddingGenerator(new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 128 }))
            .Build();

        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => other.StartAsync());
        Assert.Equal(128, error.ActualDimensions);
        Assert.Contains("Re-index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMessagesAsync_OneMegabyteMessage_StoredWholeAndChunked()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var sentence = "The quick brown fox jumps over the lazy dog near the riverbank. ";
        var text = string.Concat(Enumerable.Repeat(sentence, (1 << 20) / sentence.Length + 1))[..(1 << 20)];

        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, text)]);

        Assert.Equal(text, Assert.Single(await test.Memory.ForScope(session.Scope).GetMessagesAsync()).Content);
        Assert.Equal(1, (await test.Memory.ForScope(session.Scope).GetIndexStatusAsync()).Indexed);
        Assert.True(await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Collections = [MemoryCollections.Logs] }) > 100);
    }

    [Fact]
    public async Task ReduceIfNeededAsync_LongSession_SummariesIndexedAndRecallable()
    {
        await using var test = new TestMemory(o => o.Reduction.MaxLiveMessages = 12);
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "We agreed the budget for the kitchen renovation is 18000 euros.")]);
        for (var i = 0; i < 30; i++)
        {
            await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, $"Filler message {i} about nothing much."), new ChatMessage(ChatRole.Assistant, $"Reply {i}.")]);
        }

        var result = await test.Memory.ForScope(session.Scope).ReduceIfNeededAsync();

        Assert.True(result.SummariesCreated > 0);
        Assert.True(await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key) { Types = ["summary"] }) > 0);
        var summaries = await test.Memory.ForScope(session.Scope).GetSummariesAsync();
        Assert.Contains(summaries, s => s.Content.Contains("18000", StringComparison.Ordinal));
        var messages = await test.Memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal(61, messages.Count); // nothing deleted
        Assert.Contains(messages, m => m.IsTrimmed);
    }

    [Fact]
    public async Task GenerateReportAsync_StoresReportMessageWithFacts()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice", "Garden");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([
            new ChatMessage(ChatRole.User, "My name is Alice. We decided to plant tomatoes on 12 May."),
            new ChatMessage(ChatRole.Assistant, "Great, tomatoes on 12 May it is."),
        ]);

        var report = await test.Memory.ForScope(session.Scope).GenerateReportAsync();

        Assert.Equal(StoredMessageType.Report, report.MessageType);
        Assert.Contains("# Session report: Garden", report.Content, StringComparison.Ordinal);
        Assert.Contains("name: Alice", report.Content, StringComparison.Ordinal);
        Assert.Contains(await test.Memory.ForScope(session.Scope).GetMessagesAsync(), m => m.Id == report.Id);
        var context = await test.Memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "next")]);
        Assert.DoesNotContain(context.Messages, m => m.Text.StartsWith("# Session report", StringComparison.Ordinal));
    }
}
