using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pgvector.Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Memory;

/// <summary>A whole <see cref="ChatMemory"/> on PostgreSQL, through the public API only.</summary>
[RequiresPostgres]
public sealed class PostgreSqlChatMemoryTests
{
    private static readonly MemoryScope Alice = new("alice", "trip");

    [Fact(Timeout = 120_000)]
    public async Task ChatMemory_OnPostgreSql_StoresReducesRecallsAndAssembles()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using (var memory = Build(schema))
        {
            await memory.GetOrCreateSessionAsync(Alice);
            var scoped = memory.ForScope(Alice);
            await scoped.AddMessagesAsync(Conversation(30));

            var reduction = await scoped.ReduceIfNeededAsync();
            var hits = await scoped.RecallAsync("lighthouse at Porto Covo");
            var context = await scoped.AssembleContextAsync([new ChatMessage(ChatRole.User, "Where was the lighthouse again?")]);

            Assert.True(reduction.Reduced);
            Assert.True(reduction.MessagesTrimmed > 0);
            Assert.Contains(hits, h => h.Text.Contains("lighthouse at Porto Covo", StringComparison.Ordinal));
            Assert.True(context.Report.BudgetOk);
            Assert.True(context.Report.SummaryIncluded);
            Assert.True(context.Report.TrimmedCount > 0);
            Assert.Equal(new IndexStatus(0, 30, 0, 0, null), await scoped.GetIndexStatusAsync());
        }

        // Everything is in the server: the rows, and the index in the same schema.
        Assert.Equal(30L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.messages;"));
        Assert.True((long)(await schema.ScalarAsync("SELECT count(*) FROM {schema}.summaries;"))! > 0);
        Assert.True((long)(await schema.ScalarAsync("SELECT count(*) FROM {schema}.memory_items;"))! >= 30);

        // A new instance (another app process, say) sees the same memory.
        await using var reopened = Build(schema);
        var messages = await reopened.ForScope(Alice).GetMessagesAsync();
        Assert.Equal(30, messages.Count);
        Assert.Contains(messages, m => m.IsTrimmed);
        Assert.NotEmpty(await reopened.ForScope(Alice).GetSummariesAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task RecallAsync_AnotherUserOnTheSameDatabase_FindsNothingOfAlice()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var memory = Build(schema);
        var bob = new MemoryScope("bob", "trip");
        await memory.GetOrCreateSessionAsync(Alice);
        await memory.GetOrCreateSessionAsync(bob);
        await memory.ForScope(Alice).AddMessagesAsync(Conversation(6));

        var hits = await memory.ForScope(bob).RecallAsync("lighthouse at Porto Covo");

        Assert.Empty(hits);
        Assert.Empty(await memory.ForScope(bob).GetMessagesAsync());
    }

    [Fact(Timeout = 120_000)]
    public async Task AddMessagesAsync_SameTurnResentWithItsMessageIds_IsStoredOnce()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var first = Build(schema);
        await using var second = Build(schema);
        await first.GetOrCreateSessionAsync(Alice);
        var turn = Conversation(2);

        var a = await first.ForScope(Alice).AddMessagesAsync(turn);
        var b = await second.ForScope(Alice).AddMessagesAsync(turn);

        Assert.Equal(a.Select(m => m.Id), b.Select(m => m.Id));
        Assert.Equal(2, (await first.ForScope(Alice).GetMessagesAsync()).Count);
        Assert.Equal(2, (await first.ForScope(Alice).GetSessionAsync())!.MessageCount);
    }

    [Fact(Timeout = 120_000)]
    public async Task UseMemoryIndex_OtherIndexWithPostgreSqlStores_KeepsTheIndexThereAndTheRowsInPostgreSql()
    {
        await using var schema = await TestSchema.CreateAsync();
        using var elsewhere = SqliteMemoryDatabase.CreateInMemory();
        var otherIndex = new SqliteMemoryIndex(elsewhere);
        await using (var memory = new ChatMemoryBuilder()
            .UsePostgreSql(null, o => Apply(schema, o))
            .UseMemoryIndex(() => otherIndex)
            .Build())
        {
            await memory.GetOrCreateSessionAsync(Alice);
            await memory.ForScope(Alice).AddMessagesAsync(Conversation(4));
            Assert.Contains(await memory.ForScope(Alice).RecallAsync("lighthouse at Porto Covo"), h => h.Text.Contains("lighthouse", StringComparison.Ordinal));
        }

        Assert.Equal(4L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.messages;"));
        Assert.Equal(0L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.memory_items;"));
        Assert.True(await otherIndex.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key)) >= 4);
    }

    [Fact]
    public void UseMemoryIndex_SqliteFlavouredFactoryWithPostgreSqlStores_FailsAtBuildNamingTheOtherOverload()
    {
        var builder = new ChatMemoryBuilder()
            .UsePostgreSql("Host=127.0.0.1;Database=unused")
            .UseMemoryIndex(db => new SqliteMemoryIndex(db));

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("UseMemoryIndex(Func<IMemoryIndex>)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgreSql_InvalidSchema_FailsWhenCalledNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new ChatMemoryBuilder().UsePostgreSql("Host=127.0.0.1", o => o.Schema = "Bad-Name"));

        Assert.Contains("PostgreSqlMemoryOptions.Schema", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task AddLongMemory_UsePostgreSqlWithTheContainersDataSource_StoresInPostgreSql()
    {
        await using var schema = await TestSchema.CreateAsync();
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(schema.ConnectionString);
        dataSourceBuilder.UseVector();
        var services = new ServiceCollection();
        services.AddSingleton(dataSourceBuilder.Build());
        services.AddLongMemory(o => o.Reduction.MaxLiveMessages = 8).UsePostgreSql(configure: o => o.Schema = schema.Name);

        await using (var provider = services.BuildServiceProvider())
        {
            var memory = provider.GetRequiredService<ChatMemory>();
            await memory.GetOrCreateSessionAsync(Alice);
            await memory.ForScope(Alice).AddMessagesAsync(Conversation(4));
            Assert.NotEmpty(await memory.ForScope(Alice).RecallAsync("lighthouse at Porto Covo"));
        }

        Assert.Equal(4L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.messages;"));
        Assert.True((long)(await schema.ScalarAsync("SELECT count(*) FROM {schema}.memory_items;"))! >= 4);
    }

    internal static ChatMessage[] Conversation(int count)
        => Enumerable.Range(0, count)
            .Select(i => new ChatMessage(
                i % 2 == 0 ? ChatRole.User : ChatRole.Assistant,
                i == 0 ? "We stayed near the lighthouse at Porto Covo, remember it for later." : $"Turn {i}: we talked about day {i} of the trip and the plans at some length.")
            { MessageId = "t" + i })
            .ToArray();

    private static ChatMemory Build(TestSchema schema)
        => new ChatMemoryBuilder()
            .UsePostgreSql(null, o => Apply(schema, o))
            .Configure(o =>
            {
                o.Reduction.MaxLiveMessages = 10;
                o.Reduction.BlockSize = 5;
                o.Reduction.FanIn = 2;
            })
            .Build();

    private static void Apply(TestSchema schema, PostgreSqlMemoryOptions options)
    {
        var source = schema.Options();
        options.ConnectionString = source.ConnectionString;
        options.Schema = source.Schema;
    }
}
