using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlDocumentStoreTests : IAsyncLifetime
{
    private static readonly MemoryOwner Alice = MemoryOwner.User("alice");
    private static readonly MemoryOwner Bob = MemoryOwner.User("bob");
    private KnowledgeSideStores _stores = null!;

    private PostgreSqlDocumentStore Store => _stores.Documents;

    public async Task InitializeAsync() => _stores = await KnowledgeSideStores.CreateAsync();

    public async Task DisposeAsync() => await _stores.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SameIdAgain_ReplacesTextKeepsCreatedAtAndQueuesIndexing()
    {
        var first = await Store.UpsertAsync(Alice, "s1", "doc-1", "Manual", "version one");
        _stores.Clock.Advance(TimeSpan.FromMinutes(3));

        var second = await Store.UpsertAsync(Alice, "s1", "doc-1", "Manual v2", "version two");

        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Equal(_stores.Clock.GetUtcNow(), second.UpdatedAt);
        var read = (await Store.GetAsync(Alice, "s1", "doc-1"))!;
        Assert.Equal(Alice, read.Owner);
        Assert.Equal("Manual v2", read.Title);
        Assert.Equal("version two", read.Text);
        Assert.Equal(1, await _stores.CountAsync("SELECT count(*) FROM {schema}.documents;"));
        Assert.True(await _stores.CountAsync(
            "SELECT count(*) FROM {schema}.index_outbox WHERE owner_key = $1 AND session_id = 's1' AND kind = 'document' AND source_id = 'doc-1' AND op = 'upsert';", Alice.Key) >= 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task OtherOwnersAndSessions_NeitherSeeNorDeleteADocument()
    {
        await Store.UpsertAsync(Alice, "s1", "doc-1", "Manual", "alice's text");
        var lookalike = MemoryOwner.AnonymousSession(Alice.Key);

        foreach (var other in new[] { Bob, lookalike })
        {
            Assert.Null(await Store.GetAsync(other, "s1", "doc-1"));
            Assert.False(await Store.DeleteAsync(other, "s1", "doc-1"));
        }

        Assert.Null(await Store.GetAsync(Alice, "s2", "doc-1"));
        Assert.Equal("alice's text", (await Store.GetAsync(Alice, "s1", "doc-1"))!.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SameIdUnderTwoOwners_KeepsTwoDocuments()
    {
        await Store.UpsertAsync(Alice, "s1", "doc-1", "A", "alice's");
        await Store.UpsertAsync(Bob, "s1", "doc-1", "B", "bob's");

        Assert.Equal("alice's", (await Store.GetAsync(Alice, "s1", "doc-1"))!.Text);
        Assert.Equal("bob's", (await Store.GetAsync(Bob, "s1", "doc-1"))!.Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteAsync_RemovesTheRowAndQueuesTheDelete()
    {
        await Store.UpsertAsync(Alice, "s1", "doc-1", "Manual", "text");
        await _stores.Schema.ScalarAsync("DELETE FROM {schema}.index_outbox;");

        Assert.True(await Store.DeleteAsync(Alice, "s1", "doc-1"));
        Assert.False(await Store.DeleteAsync(Alice, "s1", "doc-1"));

        Assert.Null(await Store.GetAsync(Alice, "s1", "doc-1"));
        Assert.Equal(0, await _stores.CountAsync("SELECT count(*) FROM {schema}.documents;"));
        Assert.Equal(1, await _stores.CountAsync("SELECT count(*) FROM {schema}.index_outbox WHERE kind = 'document' AND op = 'delete' AND source_id = 'doc-1';"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_TwoInstancesAtOnce_LeaveOneDocument()
    {
        await using var other = new PostgreSqlMemoryDatabase(_stores.Schema.Options());
        var otherStore = new PostgreSqlDocumentStore(other, _stores.Clock);

        await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => Task.Run(() => (i % 2 == 0 ? Store : otherStore).UpsertAsync(Alice, "s1", "doc-1", "Manual", $"text {i}"))));

        Assert.Equal(1, await _stores.CountAsync("SELECT count(*) FROM {schema}.documents;"));
        Assert.StartsWith("text ", (await Store.GetAsync(Alice, "s1", "doc-1"))!.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_OutboxInsertFails_StoresNothing()
    {
        await _stores.BreakOutboxAsync();

        await Assert.ThrowsAsync<LongMemoryStoreException>(() => Store.UpsertAsync(Alice, "s1", "doc-1", "Manual", "text"));

        Assert.Null(await Store.GetAsync(Alice, "s1", "doc-1"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_EscapeCharacter_RoundTripsAndNulIsRefusedAsOnSqlite()
    {
        var owner = MemoryOwner.AnonymousSession("s\uE000");
        await Assert.ThrowsAsync<ArgumentException>("text", () => Store.UpsertAsync(owner, "s", "d", "t", "nul\0inside"));
        await Store.UpsertAsync(owner, "s\uE000", "d\uE000", "t\uE000", "e\uE0000 \uE000e");

        var read = (await Store.GetAsync(owner, "s\uE000", "d\uE000"))!;

        Assert.Equal(owner, read.Owner);
        Assert.Equal("t\uE000", read.Title);
        Assert.Equal("e\uE0000 \uE000e", read.Text);
        Assert.Null(await Store.GetAsync(owner, "s\uE000", "d\uE000e"));
        Assert.True(await Store.DeleteAsync(owner, "s\uE000", "d\uE000"));
    }

    [Fact(Timeout = 60_000)]
    public async Task BadInput_ThrowsArgumentExceptionsBeforeTheServer()
    {
        await Assert.ThrowsAsync<ArgumentException>("owner", () => Store.UpsertAsync(default, "s1", "d", "t", "x"));
        await Assert.ThrowsAsync<ArgumentException>("documentId", () => Store.UpsertAsync(Alice, "s1", " ", "t", "x"));
        await Assert.ThrowsAsync<ArgumentException>("text", () => Store.UpsertAsync(Alice, "s1", "d", "t", "a\uDC00"));
    }
}
