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

    [Fact]
    public async Task UsePostgreSqlIndex_ChatMemory_SearchesThePostgreSqlIndex()
    {
        var services = new ServiceCollection();
        services.AddLongMemory().UseInMemoryDatabase().UsePostgreSqlIndex("Host=127.0.0.1;Database=unused", o => o.Schema = "di_test");
        await using var provider = services.BuildServiceProvider();

        var memory = provider.GetRequiredService<ChatMemory>();

        Assert.IsType<PostgresMemoryIndex>(memory.Index);
        Assert.Equal("di_test", provider.GetRequiredService<PostgreSqlMemoryDatabase>().Schema);
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
}
