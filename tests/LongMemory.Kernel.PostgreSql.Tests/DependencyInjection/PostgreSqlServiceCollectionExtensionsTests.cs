using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pgvector.Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.DependencyInjection;

public sealed class PostgreSqlServiceCollectionExtensionsTests
{
    [Fact]
    public void AddPostgreSqlMemoryIndex_InvalidSchema_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddPostgreSqlMemoryIndex("Host=127.0.0.1", o => o.Schema = "Bad-Name"));
    }

    [Fact]
    public void AddPostgreSqlMemoryIndex_NoConnectionAndNoDataSourceInTheContainer_FailsWhenResolvedSayingWhatToSet()
    {
        using var provider = new ServiceCollection().AddPostgreSqlMemoryIndex(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IMemoryIndex>());

        Assert.Contains("NpgsqlDataSource", error.Message, StringComparison.Ordinal);
    }
}

[RequiresPostgres]
public sealed class PostgreSqlServiceCollectionContainerDataSourceTests
{
    [Fact(Timeout = 60_000)]
    public async Task AddPostgreSqlMemoryIndex_DataSourceInTheContainer_IsUsedAndLeftToItsOwner()
    {
        await using var schema = await TestSchema.CreateAsync();
        var services = new ServiceCollection();
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(schema.ConnectionString);
            builder.UseVector();
            return builder.Build();
        });
        services.AddPostgreSqlMemoryIndex(o => o.Schema = schema.Name);
        await using var provider = services.BuildServiceProvider();

        var index = provider.GetRequiredService<IMemoryIndex>();
        await index.UpsertAsync([new MemoryItem { Id = "m1", Collection = MemoryCollections.Logs, UserId = "user:a", Text = "hello" }]);

        Assert.Same(provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<PostgreSqlMemoryDatabase>().DataSource);
        Assert.Equal(1, await index.CountAsync(new MemoryFilter("user:a")));
    }

    [Fact(Timeout = 60_000)]
    public async Task UsePostgreSqlIndex_ChatMemory_IndexesAndRecallsThroughPostgreSql()
    {
        await using var schema = await TestSchema.CreateAsync();
        var services = new ServiceCollection();
        services.AddLongMemory().UseInMemoryDatabase().UsePostgreSqlIndex(schema.ConnectionString, o => o.Schema = schema.Name);
        await using var provider = services.BuildServiceProvider();
        var memory = provider.GetRequiredService<ChatMemory>();
        var session = await memory.CreateSessionAsync("alice", "trip");
        var scoped = memory.ForScope(session.Scope);

        await scoped.AddMessagesAsync([new(Microsoft.Extensions.AI.ChatRole.User, "Our flight to Lisbon departs at seven thirty.")]);
        await memory.WhenIdleAsync();

        Assert.True(await provider.GetRequiredService<PostgresMemoryIndex>().CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key)) > 0);
        Assert.Equal(0L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.memory_items WHERE owner_key NOT LIKE 'user:alice';"));
        Assert.Contains(await scoped.RecallAsync("When does the flight to Lisbon leave?"), h => h.Text.Contains("Lisbon", StringComparison.Ordinal));
    }
}
