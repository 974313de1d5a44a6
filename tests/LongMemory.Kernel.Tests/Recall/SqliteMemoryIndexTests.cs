using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel.Tests.Recall;

public sealed class SqliteMemoryIndexTests : MemoryIndexConformanceTests
{
    private readonly TempDatabase _temp = new();

    protected override Task<IMemoryIndex> CreateIndexAsync() => Task.FromResult<IMemoryIndex>(new SqliteMemoryIndex(_temp.Database));

    protected override Task DisposeIndexAsync(IMemoryIndex index)
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SearchAsync_AnotherOwnerHasManyMatchingRows_StillFindsOwnRowsOnly()
    {
        var others = Enumerable.Range(0, 300).Select(i => Item(UserB, "b" + i, $"lighthouse seagulls note {i}", withVector: false)).ToList();
        await Index.UpsertAsync(others);
        await Index.UpsertAsync([Item(UserA, "a1", "The lighthouse keeper feeds the seagulls", withVector: false)]);

        var hits = await KeywordSearchAsync(new MemoryFilter(UserA), "lighthouse seagulls", top: 1);

        Assert.Equal(["a1"], hits.Select(h => h.Item.Id));
    }

    [Fact]
    public async Task SearchAsync_ItemMovedToAnotherSession_KeywordScopeFollowsIt()
    {
        await Index.UpsertAsync([Item(UserA, "m1", "The lighthouse keeper", session: "s1", withVector: false)]);
        await Index.UpsertAsync([Item(UserA, "m1", "The lighthouse keeper", session: "s2", withVector: false)]);

        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA) { SessionId = "s1" }, "lighthouse"));
        Assert.Equal(["m1"], (await KeywordSearchAsync(new MemoryFilter(UserA) { SessionId = "s2" }, "lighthouse")).Select(h => h.Item.Id));
    }

    [Fact]
    public async Task SearchAsync_AnotherInstanceWritesTheSameFile_SeesItsUpsertsAndDeletes()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "The lighthouse keeper feeds the seagulls")]);
        Assert.Single(await VectorSearchAsync(new MemoryFilter(UserA), Embed("lighthouse")));

        using var otherDatabase = new SqliteMemoryDatabase(_temp.Path);
        var other = new SqliteMemoryIndex(otherDatabase);
        await other.UpsertAsync([Item(UserA, "m2", "Seagulls nest on the lighthouse roof")]);
        var afterInsert = await VectorSearchAsync(new MemoryFilter(UserA), Embed("lighthouse seagulls"));
        Assert.Equal(["m1", "m2"], afterInsert.Select(h => h.Item.Id).Order());

        await other.UpsertAsync([Item(UserA, "m1", "Completely different: a recipe for pancakes")]);
        var afterUpdate = await VectorSearchAsync(new MemoryFilter(UserA), Embed("pancakes recipe"));
        Assert.Equal("m1", afterUpdate[0].Item.Id);
        Assert.True(afterUpdate[0].VectorSimilarity > 0.5);

        await other.DeleteAsync(UserA, MemoryCollections.Logs, ["m2"]);
        var afterDelete = await VectorSearchAsync(new MemoryFilter(UserA), Embed("lighthouse seagulls"));
        Assert.Equal(["m1"], afterDelete.Select(h => h.Item.Id));
    }

    [Fact]
    public async Task SearchAsync_AfterDeleteByFilter_VectorCacheDropsTheItems()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "violin lesson", session: "s1"), Item(UserA, "m2", "violin concert", session: "s2")]);
        Assert.Equal(2, (await VectorSearchAsync(new MemoryFilter(UserA), Embed("violin"))).Count);

        await Index.DeleteAsync(new MemoryFilter(UserA) { SessionId = "s1" });

        Assert.Equal(["m2"], (await VectorSearchAsync(new MemoryFilter(UserA), Embed("violin"))).Select(h => h.Item.Id));
    }

    [Fact]
    public async Task Restart_ReopenedFile_KeepsItemsVectorsAndEmbeddingModel()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "The submarine is painted yellow"), Item(UserA, "m2", "Bananas are yellow too")]);

        var reopened = new SqliteMemoryIndex(_temp.Reopen());

        var hits = await reopened.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "submarine", QueryVector = Embed("submarine") });
        Assert.Equal("m1", hits[0].Item.Id);
        Assert.Equal(1.0, hits[0].Score, 6);
        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => reopened.EnsureEmbeddingModelAsync("another-model", 256));
        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() =>
            reopened.UpsertAsync([new MemoryItem { Id = "x", Collection = MemoryCollections.Logs, UserId = UserA, Text = "x", Vector = new float[8] }]));
    }

    [Fact]
    public async Task UpsertAsync_ManyUpdatesAndDeletes_KeepsFullTextIndexConsistent()
    {
        await UseEmbedderAsync();
        for (var round = 0; round < 3; round++)
        {
            await Index.UpsertAsync(Enumerable.Range(0, 40).Select(i => Item(UserA, $"m{i}", $"round{round} item {i} word{i % 7}")).ToList());
            await Index.DeleteAsync(UserA, MemoryCollections.Logs, Enumerable.Range(0, 40).Where(i => i % 5 == round).Select(i => $"m{i}").ToList());
        }

        await using var connection = await _temp.Database.OpenConnectionAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO memory_fts(memory_fts, rank) VALUES ('integrity-check', 1);";
        await command.ExecuteNonQueryAsync();

        var hits = await KeywordSearchAsync(new MemoryFilter(UserA), "word3", top: 100);
        var expected = Enumerable.Range(0, 40).Where(i => i % 7 == 3 && i % 5 != 2).Select(i => $"m{i}").Order();
        Assert.Equal(expected, hits.Select(h => h.Item.Id).Order());
        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA), "round0 round1"));
        Assert.Equal(32, (await KeywordSearchAsync(new MemoryFilter(UserA), "round2", top: 100)).Count);
    }

    [Fact]
    public async Task DeleteAsync_ByIds_ReturnsExactCount()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "a", "one"), Item(UserA, "b", "two")]);

        Assert.Equal(2, await Index.DeleteAsync(UserA, MemoryCollections.Logs, ["a", "b", "b", "c"]));
        Assert.Equal(0, await Index.DeleteAsync(UserA, MemoryCollections.Logs, ["a"]));
    }

    [Fact]
    public async Task ScrollAsync_ForeignCursor_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Index.ScrollAsync(new MemoryFilter(UserA), cursor: "not-a-cursor"));
    }

    [Fact]
    public async Task UpsertAsync_DatabaseFailure_ThrowsLongMemoryStoreException()
    {
        await UseEmbedderAsync();
        await using (var connection = await _temp.Database.OpenConnectionAsync())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TRIGGER memory_items_ai; CREATE TRIGGER memory_items_ai AFTER INSERT ON memory_items BEGIN SELECT RAISE(ABORT, 'disk says no'); END;";
            await command.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => Index.UpsertAsync([Item(UserA, "m1", "x")]));
        Assert.Contains("disk says no", error.Message);
        Assert.IsType<SqliteException>(error.InnerException);
    }
}
