using LongMemory.Kernel.Tests.ChatReduction;
using LongMemory.Kernel.Tests.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LongMemory.Kernel.Tests.Indexing;

/// <summary>Indexing through the outbox: failures never break a write, are retried in every mode, and recovery covers every kind.</summary>
public class IndexOutboxTests
{
    private static readonly MemoryOwner Alice = MemoryOwner.User("alice");

    [Theory(Timeout = 60_000)]
    [InlineData(IndexingMode.Inline)]
    [InlineData(IndexingMode.Background)]
    public async Task AddMessagesAsync_EmbedderDown_StoresMessageAndFactThenRetryTimerIndexesBoth(IndexingMode mode)
    {
        var flaky = new FlakyEmbeddingGenerator(new HashingEmbeddingGenerator());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var test = new TestMemory(o => o.IndexingMode = mode, flaky, b => b.UseTimeProvider(clock));
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);

        flaky.Failing = true;
        var stored = await memory.AddMessagesAsync([new ChatMessage(ChatRole.User, "I live in Porto and my sister Marta plays the cello.")]);
        await test.Memory.WhenIdleAsync();

        // Stored once, not thrown: a retrying caller has no reason to store it again.
        Assert.Single(stored);
        Assert.Single(await memory.GetMessagesAsync());
        Assert.Equal("Porto", Assert.Single(await memory.GetKnowledgeAsync("location")).Value);
        var failed = await memory.GetIndexStatusAsync();
        Assert.Equal((0, 2, 0), (failed.Pending, failed.Failed, failed.Dead));
        Assert.Contains("embedding service unavailable", failed.LastError, StringComparison.Ordinal);

        // No manual call: the memory's own retry loop brings it back once the back-off has passed.
        flaky.Failing = false;
        clock.Advance(test.Memory.Options.IndexRetryBaseDelay);
        await test.Memory.WhenIdleAsync();

        var status = await memory.GetIndexStatusAsync();
        Assert.True(status.IsClean, status.ToString());
        Assert.Equal(1, status.Indexed);
        Assert.Single(await test.Memory.Index.GetAsync(Alice.Key, MemoryCollections.Knowledge, ["kn:location"]));
        Assert.Contains(await memory.RecallAsync("who plays the cello?"), h => h.Text.Contains("cello", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task AddMessagesAsync_OneEntryAlwaysFails_OthersIndexedAndItEndsDeadInStatusAndReport()
    {
        var embedder = new PoisonEmbeddingGenerator(new HashingEmbeddingGenerator(), "POISON");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var test = new TestMemory(o => o.IndexMaxAttempts = 3, embedder, b => b.UseTimeProvider(clock));
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);

        await memory.AddMessagesAsync(
        [
            new ChatMessage(ChatRole.User, "The boiler service is booked for Tuesday."),
            new ChatMessage(ChatRole.Assistant, "POISON this text breaks the embedder."),
            new ChatMessage(ChatRole.User, "The plumber is called Ines."),
        ]);

        // The batch failed, was retried entry by entry: only the bad one waits.
        Assert.Equal((0, 2, 1, 0), Counts(await memory.GetIndexStatusAsync()));
        Assert.Contains(await memory.RecallAsync("who is the plumber"), h => h.Text.Contains("Ines", StringComparison.Ordinal));

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(test.Memory.Options.IndexRetryMaxDelay);
            await test.Memory.WhenIdleAsync();
        }

        var status = await memory.GetIndexStatusAsync();
        Assert.Equal((0, 2, 0, 1), Counts(status));
        Assert.Contains("poisoned input", status.LastError, StringComparison.Ordinal);
        Assert.Equal(IndexState.Dead, (await memory.GetMessagesAsync())[1].IndexState);
        var attemptsAtDeath = embedder.PoisonedCalls;
        clock.Advance(test.Memory.Options.IndexRetryMaxDelay);
        await test.Memory.WhenIdleAsync();
        Assert.Equal(attemptsAtDeath, embedder.PoisonedCalls); // dead: not retried

        var context = await memory.AssembleContextAsync([new ChatMessage(ChatRole.User, "When is the boiler service?")]);
        Assert.Equal(1, context.Report.Indexing?.Dead);
        Assert.Contains("poisoned input", context.Report.Indexing?.LastError, StringComparison.Ordinal);
        Assert.Equal(1, ContextReport.FromJson(context.Report.ToJson()).Indexing?.Dead);
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_RowsOfEveryKindWrittenBeforeACrash_EachIndexedExactlyOnce()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.StartAsync();

        // Rows and their outbox entries committed by a process that died before indexing them.
        using (var database = new SqliteMemoryDatabase(test.DatabasePath))
        {
            var sessions = new SqliteSessionStore(database);
            var messages = await sessions.AppendMessagesAsync(Alice, session.Id,
            [
                new NewMessage { Role = ChatRole.User, Content = "The spare key is under the blue flowerpot." },
                new NewMessage { Role = ChatRole.Assistant, Content = "Noted, the blue flowerpot by the door." },
            ]);
            await sessions.AddSummaryAsync(Alice, new ConversationSummary { SessionId = session.Id, FirstMessageId = messages[0].Id, LastMessageId = messages[1].Id, Content = "Alice keeps a spare key under a flowerpot." }, [messages[0].Id], []);
            var knowledge = new SqliteKnowledgeStore(database);
            await knowledge.UpsertAsync(new KnowledgeEntry { Owner = Alice, Key = "pet", Value = "a tabby cat named Miso" });
            await knowledge.UpsertAsync(new KnowledgeEntry { Owner = Alice, Key = "pet", Value = "a beagle named Rufus" });
            await new SqliteModelMemoryStore(database).AddAsync(new ModelMemoryEntry { Owner = Alice, Content = "Prefers answers as short bullet lists." });
            await new SqliteDocumentStore(database).UpsertAsync(Alice, session.Id, "boiler", "Boiler manual", "Reset the boiler by holding the red button for ten seconds.");
        }

        Assert.True((await test.Memory.GetIndexStatusAsync()).Pending >= 5);

        var restarted = await test.RestartAsync();
        await restarted.StartAsync();

        Assert.True((await restarted.GetIndexStatusAsync()).IsClean);
        var counts = await CountByCollectionAsync(restarted);
        Assert.Equal((3, 1, 1, 1), counts); // 2 messages + 1 summary, 1 fact, 1 note, 1 document chunk
        var fact = Assert.Single(await restarted.Index.GetAsync(Alice.Key, MemoryCollections.Knowledge, ["kn:pet"]));
        Assert.Equal("a beagle named Rufus", fact.Payload["value"]);

        // Another start finds nothing to do and writes nothing twice.
        var again = await test.RestartAsync();
        await again.StartAsync();
        Assert.Equal(0, await again.ProcessIndexBacklogAsync());
        Assert.Equal(counts, await CountByCollectionAsync(again));
    }

    [Fact(Timeout = 60_000)]
    public async Task StartAsync_FactSupersededOrForgottenBeforeIndexing_IndexFollowsTheStoreNeverTheOldValue()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        await memory.RememberFactAsync("location", "Lisbon");
        var drink = await memory.RememberFactAsync("favorite_drink", "green tea");
        Assert.Equal(2, await test.Memory.Index.CountAsync(new MemoryFilter(Alice.Key) { Collections = [MemoryCollections.Knowledge] }));

        // The process dies after committing a new value and a forget, before indexing either.
        using (var database = new SqliteMemoryDatabase(test.DatabasePath))
        {
            var knowledge = new SqliteKnowledgeStore(database);
            await knowledge.UpsertAsync(new KnowledgeEntry { Owner = Alice, Key = "location", Value = "Porto" });
            Assert.True(await knowledge.ForgetAsync(Alice, drink.Id));
        }

        var restarted = await test.RestartAsync();
        await restarted.StartAsync();

        var items = await restarted.Index.GetAsync(Alice.Key, MemoryCollections.Knowledge, ["kn:location", "kn:favorite_drink"]);
        Assert.Equal("Porto", Assert.Single(items).Payload["value"]);
        var context = await restarted.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, "Where do I live, and what do I drink?")]);
        var prompt = string.Join("\n", context.Messages.Select(m => m.Text));
        Assert.DoesNotContain("Lisbon", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("green tea", prompt, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task ReduceIfNeededAsync_LongRunWithNearDuplicateSummaries_EveryActiveSummaryHasExactlyOneItem()
    {
        await using var test = new TestMemory(o =>
        {
            o.NearDuplicateThreshold = 0.5; // as aggressive as allowed: most summaries are near-duplicates of another
            o.CaptureKnowledgeOnEveryMessage = false;
            o.Reduction = new HierarchicalChatReducerOptions { MaxLiveMessages = 12, BlockSize = 4, FanIn = 3, KeepLastTurns = 1 };
        });
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        var generator = new ConversationGenerator(7);
        for (var turn = 0; turn < 150; turn++)
        {
            await memory.AddMessagesAsync(generator.NextTurn());
            await memory.ReduceIfNeededAsync();
        }

        var active = await memory.GetSummariesAsync(activeOnly: true);
        Assert.True(active.Count >= 2, $"{active.Count} active summaries");
        var all = await memory.GetSummariesAsync(activeOnly: false);
        Assert.Contains(all, s => !s.IsActive);
        foreach (var summary in active)
        {
            Assert.Single(await test.Memory.Index.GetAsync(Alice.Key, MemoryCollections.Logs, ["sum:" + summary.Id]));
        }

        Assert.True((await memory.GetIndexStatusAsync()).IsClean);
    }

    [Fact(Timeout = 60_000)]
    public async Task ImportDocumentAsync_ReimportedShorter_OldChunksGoneAndHardDeleteRemovesRowAndItems()
    {
        await using var test = new TestMemory(o => o.ChunkMaxTokens = 16);
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        var documents = Assert.IsAssignableFrom<IDocumentStore>(test.Memory.Documents);
        var filter = new MemoryFilter(Alice.Key) { Collections = [MemoryCollections.Documents] };

        var chunks = await memory.ImportDocumentAsync("boiler", "Boiler manual",
            "Reset the boiler by holding the red button for ten seconds. Bleed the radiators every autumn with the small brass key. " +
            "Call the installer when the pressure gauge shows less than one bar after a reset.");
        Assert.True(chunks > 1);
        Assert.Equal(chunks, await test.Memory.Index.CountAsync(filter));

        Assert.Equal(1, await memory.ImportDocumentAsync("boiler", "Boiler manual", "Hold the red button to reset the boiler."));
        Assert.Equal(1, await test.Memory.Index.CountAsync(filter));
        Assert.Equal("Hold the red button to reset the boiler.", (await documents.GetAsync(Alice, session.Id, "boiler"))?.Text);

        await test.Memory.DeleteSessionAsync(session.Scope, hard: true);
        Assert.Null(await documents.GetAsync(Alice, session.Id, "boiler"));
        Assert.Equal(0, await test.Memory.Index.CountAsync(filter));
        Assert.True((await test.Memory.GetIndexStatusAsync()).IsClean);
    }

    [Fact(Timeout = 60_000)]
    public async Task SaveModelMemoryAsync_EmbedderDown_ThrowsNamingTheOperationAndStoresNothing()
    {
        var flaky = new FlakyEmbeddingGenerator(new HashingEmbeddingGenerator());
        await using var test = new TestMemory(embedder: flaky);
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        await test.Memory.StartAsync();

        flaky.Failing = true;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => memory.SaveModelMemoryAsync("Prefers metric units."));

        Assert.Contains("model memory", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Empty(await memory.GetModelMemoryAsync());
        Assert.True((await memory.GetIndexStatusAsync()).IsClean);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetModelMemoryAsync_Background_ItemGoneWhenTheCallReturns()
    {
        await using var test = new TestMemory(o => o.IndexingMode = IndexingMode.Background);
        var session = await test.Memory.CreateSessionAsync("alice");
        var memory = test.Memory.ForScope(session.Scope);
        var entry = await memory.SaveModelMemoryAsync("Prefers metric units.");
        await test.Memory.WhenIdleAsync();
        Assert.Single(await test.Memory.Index.GetAsync(Alice.Key, MemoryCollections.ModelMemory, ["mm:" + entry.Id]));

        Assert.True(await memory.ForgetModelMemoryAsync(entry.Id));

        Assert.Empty(await test.Memory.Index.GetAsync(Alice.Key, MemoryCollections.ModelMemory, ["mm:" + entry.Id]));
    }

    [Fact]
    public void Validate_IndexMaxAttemptsBelowOne_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ChatMemoryOptions { IndexMaxAttempts = 0 }.Validate());
        Assert.Equal(nameof(ChatMemoryOptions.IndexMaxAttempts), error.ParamName);
    }

    private static (int Pending, int Indexed, int Failed, int Dead) Counts(IndexStatus status) => (status.Pending, status.Indexed, status.Failed, status.Dead);

    private static async Task<(long Logs, long Knowledge, long ModelMemory, long Documents)> CountByCollectionAsync(ChatMemory memory)
    {
        async Task<long> CountAsync(string collection) => await memory.Index.CountAsync(new MemoryFilter(Alice.Key) { Collections = [collection] });
        return (await CountAsync(MemoryCollections.Logs), await CountAsync(MemoryCollections.Knowledge), await CountAsync(MemoryCollections.ModelMemory), await CountAsync(MemoryCollections.Documents));
    }

    /// <summary>Fails every call that contains a marker text, as a model does for an input it rejects.</summary>
    private sealed class PoisonEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, string marker) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _poisonedCalls;

        public int PoisonedCalls => Volatile.Read(ref _poisonedCalls);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            if (list.Any(v => v.Contains(marker, StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _poisonedCalls);
                throw new InvalidOperationException("poisoned input");
            }

            return inner.GenerateAsync(list, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose() => inner.Dispose();
    }
}
