using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlModelMemoryStoreTests : IAsyncLifetime
{
    private static readonly MemoryOwner Alice = MemoryOwner.User("alice");
    private static readonly MemoryOwner Bob = MemoryOwner.User("bob");
    private KnowledgeSideStores _stores = null!;

    private PostgreSqlModelMemoryStore Store => _stores.ModelMemory;

    public async Task InitializeAsync() => _stores = await KnowledgeSideStores.CreateAsync();

    public async Task DisposeAsync() => await _stores.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task AddAsync_ThenGetAndList_RoundTripsEveryFieldAndQueuesIndexing()
    {
        var added = await Store.AddAsync(Entry(Alice, "prefers tea", category: "preference", importance: 0.8, sessionId: "s1"));

        var read = (await Store.GetAsync(Alice, added.Id))!;
        Assert.Equal("prefers tea", read.Content);
        Assert.Equal("preference", read.Category);
        Assert.Equal(0.8, read.Importance);
        Assert.Equal("s1", read.SessionId);
        Assert.Equal("model", read.Source);
        Assert.Equal(_stores.Clock.GetUtcNow(), read.CreatedAt);
        Assert.Equal(_stores.Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Null(read.DeletedAt);
        Assert.Equal([added.Id], (await Store.ListAsync(Alice)).Select(e => e.Id));
        Assert.Equal(1, await _stores.CountAsync(
            "SELECT count(*) FROM {schema}.index_outbox WHERE owner_key = $1 AND session_id IS NULL AND kind = 'model_memory' AND source_id = $2 AND op = 'upsert';",
            Alice.Key, added.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact(Timeout = 60_000)]
    public async Task ListAsync_NewestFirstWithPagingAndOwnerOnly()
    {
        var first = await Store.AddAsync(Entry(Alice, "one"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Store.AddAsync(Entry(Alice, "two"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await Store.AddAsync(Entry(Alice, "three"));
        await Store.AddAsync(Entry(Bob, "bob's"));

        Assert.Equal([third.Id, second.Id, first.Id], (await Store.ListAsync(Alice)).Select(e => e.Id));
        Assert.Equal([second.Id], (await Store.ListAsync(Alice, skip: 1, take: 1)).Select(e => e.Id));
        Assert.Empty(await Store.ListAsync(Alice, take: 0));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpdateAsync_ChangesFieldsAndTimestamp()
    {
        var added = await Store.AddAsync(Entry(Alice, "prefers tea"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await Store.UpdateAsync(new ModelMemoryEntry { Id = added.Id, Owner = Alice, Content = "prefers coffee", Category = "drink", Importance = 0.3, SessionId = "s2" }));

        var read = (await Store.GetAsync(Alice, added.Id))!;
        Assert.Equal("prefers coffee", read.Content);
        Assert.Equal("drink", read.Category);
        Assert.Equal(0.3, read.Importance);
        Assert.Equal("s2", read.SessionId);
        Assert.Equal(_stores.Clock.GetUtcNow(), read.UpdatedAt);
        Assert.Equal(added.CreatedAt, read.CreatedAt);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteAsync_ErasesContentKeepsMarkerAndHidesIt()
    {
        var added = await Store.AddAsync(Entry(Alice, "the door code is 4711", category: "secret"));
        await _stores.Schema.ScalarAsync("DELETE FROM {schema}.index_outbox;");

        Assert.True(await Store.DeleteAsync(Alice, added.Id));
        Assert.False(await Store.DeleteAsync(Alice, added.Id));

        Assert.Null(await Store.GetAsync(Alice, added.Id));
        Assert.Empty(await Store.ListAsync(Alice));
        Assert.False(await Store.UpdateAsync(new ModelMemoryEntry { Id = added.Id, Owner = Alice, Content = "back" }));
        Assert.Equal(1, await _stores.CountAsync("SELECT count(*) FROM {schema}.model_memory WHERE id = $1 AND deleted_at IS NOT NULL AND content = '' AND category IS NULL;", added.Id));
        Assert.Equal(0, await _stores.CountAsync("SELECT count(*) FROM {schema}.model_memory WHERE content LIKE '%4711%';"));
        Assert.Equal(1, await _stores.CountAsync("SELECT count(*) FROM {schema}.index_outbox WHERE kind = 'model_memory' AND op = 'delete';"));
    }

    [Fact(Timeout = 60_000)]
    public async Task OtherOwners_CannotReadUpdateOrDeleteAnEntry()
    {
        var added = await Store.AddAsync(Entry(Alice, "prefers tea", sessionId: "s1"));
        var lookalike = MemoryOwner.AnonymousSession(Alice.Key);

        foreach (var other in new[] { Bob, lookalike, MemoryOwner.AnonymousSession("alice") })
        {
            Assert.Null(await Store.GetAsync(other, added.Id));
            Assert.Empty(await Store.ListAsync(other));
            Assert.False(await Store.UpdateAsync(new ModelMemoryEntry { Id = added.Id, Owner = other, Content = "hijacked" }));
            Assert.False(await Store.DeleteAsync(other, added.Id));
            Assert.Empty(await Store.DeleteBySessionAsync(other, "s1"));
            Assert.Equal(0, await Store.DeleteOwnerAsync(other));
        }

        Assert.Equal("prefers tea", (await Store.GetAsync(Alice, added.Id))!.Content);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteBySessionAsync_ReturnsTheIdsOfThatSessionOnly()
    {
        var a = await Store.AddAsync(Entry(Alice, "a", sessionId: "s1"));
        var b = await Store.AddAsync(Entry(Alice, "b", sessionId: "s1"));
        var c = await Store.AddAsync(Entry(Alice, "c", sessionId: "s2"));
        await Store.AddAsync(Entry(Bob, "d", sessionId: "s1"));

        var deleted = await Store.DeleteBySessionAsync(Alice, "s1");

        Assert.Equal([a.Id, b.Id], deleted.Order());
        Assert.Equal([c.Id], (await Store.ListAsync(Alice)).Select(e => e.Id));
        Assert.Single(await Store.ListAsync(Bob));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteOwnerAsync_CountsForgottenEntriesToo()
    {
        var a = await Store.AddAsync(Entry(Alice, "a"));
        await Store.AddAsync(Entry(Alice, "b"));
        await Store.AddAsync(Entry(Bob, "c"));
        await Store.DeleteAsync(Alice, a.Id);

        Assert.Equal(2, await Store.DeleteOwnerAsync(Alice));

        Assert.Equal(0, await _stores.CountAsync("SELECT count(*) FROM {schema}.model_memory WHERE owner_key = $1;", Alice.Key));
        Assert.Single(await Store.ListAsync(Bob));
    }

    [Fact(Timeout = 60_000)]
    public async Task AddAsync_OutboxInsertFails_StoresNothing()
    {
        await _stores.BreakOutboxAsync();

        await Assert.ThrowsAsync<LongMemoryStoreException>(() => Store.AddAsync(Entry(Alice, "prefers tea")));

        Assert.Equal(0, await _stores.CountAsync("SELECT count(*) FROM {schema}.model_memory;"));
    }

    [Fact(Timeout = 60_000)]
    public async Task AddAsync_EscapeCharacter_RoundTripsAndNulIsRefusedAsOnSqlite()
    {
        var owner = MemoryOwner.User("b\uE000b");
        await Assert.ThrowsAsync<ArgumentException>("entry.Content", () => Store.AddAsync(Entry(owner, "nul\0inside")));
        var added = await Store.AddAsync(new ModelMemoryEntry { Owner = owner, Content = "e\uE0000 and \uE000", Category = "c\uE000t", SessionId = "s\uE000", Source = "to\uE000l" });

        var read = Assert.Single(await Store.ListAsync(owner));

        Assert.Equal(added.Id, read.Id);
        Assert.Equal(owner, read.Owner);
        Assert.Equal("e\uE0000 and \uE000", read.Content);
        Assert.Equal("c\uE000t", read.Category);
        Assert.Equal("to\uE000l", read.Source);
        Assert.Equal([added.Id], await Store.DeleteBySessionAsync(owner, "s\uE000"));
    }

    [Fact(Timeout = 60_000)]
    public async Task BadInput_ThrowsArgumentExceptionsBeforeTheServer()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("entry", () => Store.AddAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("entry.Content", () => Store.AddAsync(Entry(Alice, " ")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Category", () => Store.AddAsync(Entry(Alice, "x", category: " ")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("entry.Importance", () => Store.AddAsync(Entry(Alice, "x", importance: 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("skip", () => Store.ListAsync(Alice, skip: -1));
    }

    private static ModelMemoryEntry Entry(MemoryOwner owner, string content, string? category = null, double importance = 0.5, string? sessionId = null)
        => new() { Owner = owner, Content = content, Category = category, Importance = importance, SessionId = sessionId };
}
