using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Npgsql;
using Pgvector.Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Recall;

/// <summary>What the PostgreSQL index adds to the conformance suite: its schema, its search settings, its data-source rules.</summary>
[RequiresPostgres]
public sealed class PostgresMemoryIndexBehaviourTests
{
    private static readonly HashingEmbeddingGenerator Embedder = new();
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 60_000)]
    public async Task EnsureEmbeddingModelAsync_FirstTime_SetsTheColumnDimensionAndAnHnswCosineIndex()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());

        await index.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions);

        Assert.Equal($"vector({Embedder.Dimensions})", await schema.ScalarAsync(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{schema}.memory_items'::regclass AND attname = 'embedding';"));
        var definition = (string?)await schema.ScalarAsync("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'memory_items_embedding_hnsw';", schema.Name);
        Assert.Contains("USING hnsw (embedding vector_cosine_ops)", definition, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task EnsureEmbeddingModelAsync_SecondInstanceWithOtherModel_ThrowsMismatch()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var first = new PostgresMemoryIndex(schema.Options());
        await using var second = new PostgresMemoryIndex(schema.Options());

        await first.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions);

        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => second.EnsureEmbeddingModelAsync("another-model", 384));
    }

    [Fact(Timeout = 120_000)]
    public async Task SearchAsync_OwnerWithFewItemsAmongManyClose_FindsEveryOwnItemByVector()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());
        await index.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions);

        // 3,000 near-identical items of another owner crowd the HNSW graph around the query; the filtered search must
        // still return all three items of this owner (pgvector's iterative scan keeps looking past foreign neighbours).
        foreach (var chunk in Enumerable.Range(0, 3000).Chunk(500))
        {
            await index.UpsertAsync(chunk.Select(i => Item("user:crowd", "c" + i, $"the lighthouse keeper feeds the seagulls at dawn {i}")).ToList());
        }

        await index.UpsertAsync(
        [
            Item("user:alice", "a1", "the lighthouse keeper feeds the seagulls"),
            Item("user:alice", "a2", "recipe for pancakes with blueberries"),
            Item("user:alice", "a3", "quarterly budget review on thursday"),
        ]);
        await AnalyzeAsync(schema);

        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter("user:alice"))
        {
            QueryVector = Embed("the lighthouse keeper feeds the seagulls at dawn"),
            Top = 10,
        });

        Assert.Equal(["a1", "a2", "a3"], hits.Select(h => h.Item.Id).Order());
        Assert.Equal("a1", hits[0].Item.Id);
    }

    [Fact(Timeout = 60_000)]
    public async Task SearchAsync_InflectedForm_IsNotMatchedLikeTheSqliteIndex()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());
        await index.UpsertAsync([Item("user:a", "g", "I love gardening", withVector: false), Item("user:a", "m", "Frau Müller wohnt in Köln", withVector: false)]);

        // The 'simple' configuration does not stem (as FTS5 unicode61 does not) and folds case beyond ASCII.
        Assert.Empty(await KeywordAsync(index, "garden"));
        Assert.Equal(["g"], (await KeywordAsync(index, "Gardening")).Select(h => h.Item.Id));
        Assert.Equal(["m"], (await KeywordAsync(index, "MÜLLER köln")).Select(h => h.Item.Id));
    }

    [Fact(Timeout = 60_000)]
    public async Task SearchAsync_MoreQueryWordsMatched_RanksHigher()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());
        await index.UpsertAsync(
        [
            Item("user:a", "one", "The boat is blue", withVector: false),
            Item("user:a", "two", "The boat is moored at pier nine", withVector: false),
            Item("user:a", "none", "Nothing related", withVector: false),
        ]);

        var hits = await KeywordAsync(index, "boat pier");

        Assert.Equal(["two", "one"], hits.Select(h => h.Item.Id));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_TextWithNulCharacters_IsStoredWithoutThem()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());

        await index.UpsertAsync([Item("user:a", "n", "zebra\0crossing", withVector: false, payload: new() { ["note"] = "a\0b" })]);

        var item = Assert.Single(await index.GetAsync("user:a", MemoryCollections.Logs, ["n"]));
        Assert.Equal("zebracrossing", item.Text);
        Assert.Equal("ab", item.Payload["note"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Index_OwnDataSourceWithUseVector_IsUsedAndNotDisposed()
    {
        await using var schema = await TestSchema.CreateAsync();
        var builder = new NpgsqlDataSourceBuilder(schema.ConnectionString);
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using (var index = new PostgresMemoryIndex(new PostgreSqlMemoryOptions { DataSource = dataSource, Schema = schema.Name }))
        {
            await index.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions);
            await index.UpsertAsync([Item("user:a", "m1", "hello vector")]);
            Assert.Equal("m1", (await index.SearchAsync(new MemorySearchRequest(new MemoryFilter("user:a")) { QueryVector = Embed("hello vector") }))[0].Item.Id);
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact(Timeout = 60_000)]
    public async Task Index_OwnDataSourceWithoutUseVector_FailsSayingHowToFixIt()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(schema.ConnectionString);
        await using var index = new PostgresMemoryIndex(new PostgreSqlMemoryOptions { DataSource = dataSource, Schema = schema.Name });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => index.CountAsync(new MemoryFilter("user:a")));

        Assert.Contains("UseVector()", error.Message, StringComparison.Ordinal);
    }

    private static Task<IReadOnlyList<MemoryHit>> KeywordAsync(PostgresMemoryIndex index, string text) =>
        index.SearchAsync(new MemorySearchRequest(new MemoryFilter("user:a")) { QueryText = text });

    private static async Task AnalyzeAsync(TestSchema schema) => await schema.ScalarAsync("ANALYZE {schema}.memory_items;");

    private static float[] Embed(string text)
    {
        var vector = new float[Embedder.Dimensions];
        Embedder.Embed(text, vector);
        return vector;
    }

    private static MemoryItem Item(string user, string id, string text, bool withVector = true, Dictionary<string, string>? payload = null) => new()
    {
        Id = id,
        Collection = MemoryCollections.Logs,
        UserId = user,
        SessionId = "s1",
        Text = text,
        Vector = withVector ? Embed(text) : ReadOnlyMemory<float>.Empty,
        CreatedAt = T0,
        Payload = payload ?? [],
    };
}
