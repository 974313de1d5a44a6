namespace LongMemory.Kernel.Tests.Storage;

public sealed class SqliteModelMemoryStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly ManualClock _clock = new();
    private SqliteModelMemoryStore _store;

    public SqliteModelMemoryStoreTests() => _store = new SqliteModelMemoryStore(_temp.Database, _clock);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddAsync_AssignsIdAndTimestampsAndIsReadBack()
    {
        var added = await _store.AddAsync(Entry("alice", "Prefers metric units", "preference", 0.8, "app"));

        var read = await _store.GetAsync(MemoryOwner.User("alice"), added.Id);

        Assert.NotNull(read);
        Assert.Equal("Prefers metric units", read.Content);
        Assert.Equal("preference", read.Category);
        Assert.Equal(0.8, read.Importance);
        Assert.Equal("app", read.Source);
        Assert.Equal(_clock.GetUtcNow(), read.CreatedAt);
        Assert.Equal(_clock.GetUtcNow(), read.UpdatedAt);
        Assert.Null(read.DeletedAt);
    }

    [Fact]
    public async Task UpdateAsync_ChangesContentAndUpdatedAt()
    {
        var added = await _store.AddAsync(Entry("alice", "likes tea"));
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.True(await _store.UpdateAsync(new ModelMemoryEntry { Id = added.Id, Owner = MemoryOwner.User("alice"), Content = "likes green tea", Category = "food", Importance = 0.9 }));

        var read = (await _store.GetAsync(MemoryOwner.User("alice"), added.Id))!;
        Assert.Equal("likes green tea", read.Content);
        Assert.Equal("food", read.Category);
        Assert.Equal(0.9, read.Importance);
        Assert.Equal(added.CreatedAt, read.CreatedAt);
        Assert.Equal(_clock.GetUtcNow(), read.UpdatedAt);
        Assert.False(await _store.UpdateAsync(new ModelMemoryEntry { Id = 999, Owner = MemoryOwner.User("alice"), Content = "x" }));
    }

    [Fact]
    public async Task OtherOwner_CannotGetUpdateOrDeleteById()
    {
        var alices = await _store.AddAsync(Entry("alice", "secret"));

        Assert.Null(await _store.GetAsync(MemoryOwner.User("bob"), alices.Id));
        Assert.False(await _store.UpdateAsync(new ModelMemoryEntry { Id = alices.Id, Owner = MemoryOwner.User("bob"), Content = "hijacked" }));
        Assert.False(await _store.DeleteAsync(MemoryOwner.User("bob"), alices.Id));
        Assert.Empty(await _store.ListAsync(MemoryOwner.User("bob")));
        Assert.Equal("secret", (await _store.GetAsync(MemoryOwner.User("alice"), alices.Id))!.Content);
    }

    [Fact]
    public async Task DeleteAsync_SoftDeletesAndHidesFromEveryRead()
    {
        var kept = await _store.AddAsync(Entry("alice", "kept"));
        var gone = await _store.AddAsync(Entry("alice", "gone"));

        Assert.True(await _store.DeleteAsync(MemoryOwner.User("alice"), gone.Id));
        Assert.False(await _store.DeleteAsync(MemoryOwner.User("alice"), gone.Id));

        Assert.Null(await _store.GetAsync(MemoryOwner.User("alice"), gone.Id));
        Assert.Equal(kept.Id, Assert.Single(await _store.ListAsync(MemoryOwner.User("alice"))).Id);
        Assert.False(await _store.UpdateAsync(new ModelMemoryEntry { Id = gone.Id, Owner = MemoryOwner.User("alice"), Content = "back?" }));
    }

    [Fact]
    public async Task DeleteAsync_ErasesTheContentInTheRow()
    {
        var gone = await _store.AddAsync(Entry("alice", "The spare key is under the heron statue.", "secret"));

        await _store.DeleteAsync(MemoryOwner.User("alice"), gone.Id);

        await using var connection = await _temp.Database.OpenConnectionAsync();
        var row = await Dapper.SqlMapper.QuerySingleAsync<(string Content, string? Category, long? DeletedAt)>(
            connection, "SELECT content, category, deleted_at FROM model_memory WHERE id = @id;", new { id = gone.Id });
        Assert.Equal((string.Empty, (string?)null), (row.Content, row.Category));
        Assert.NotNull(row.DeletedAt);
    }

    [Fact]
    public async Task DeleteBySessionAsync_RemovesOnlyThatSessionsEntriesOfTheOwner()
    {
        var inSession = await _store.AddAsync(new ModelMemoryEntry { Owner = MemoryOwner.User("alice"), SessionId = "s1", Content = "from s1" });
        var other = await _store.AddAsync(new ModelMemoryEntry { Owner = MemoryOwner.User("alice"), SessionId = "s2", Content = "from s2" });
        await _store.AddAsync(new ModelMemoryEntry { Owner = MemoryOwner.User("bob"), SessionId = "s1", Content = "bob's s1" });

        Assert.Equal([inSession.Id], await _store.DeleteBySessionAsync(MemoryOwner.User("alice"), "s1"));

        Assert.Equal(other.Id, Assert.Single(await _store.ListAsync(MemoryOwner.User("alice"))).Id);
        Assert.Equal("s2", (await _store.GetAsync(MemoryOwner.User("alice"), other.Id))!.SessionId);
        Assert.Single(await _store.ListAsync(MemoryOwner.User("bob")));
    }

    [Fact]
    public async Task DeleteOwnerAsync_RemovesEveryRowOfTheOwnerIncludingForgottenOnes()
    {
        var forgotten = await _store.AddAsync(Entry("alice", "old"));
        await _store.DeleteAsync(MemoryOwner.User("alice"), forgotten.Id);
        await _store.AddAsync(Entry("alice", "new"));
        await _store.AddAsync(Entry("bob", "bob's"));

        Assert.Equal(2, await _store.DeleteOwnerAsync(MemoryOwner.User("alice")));

        Assert.Empty(await _store.ListAsync(MemoryOwner.User("alice")));
        Assert.Single(await _store.ListAsync(MemoryOwner.User("bob")));
    }

    [Fact]
    public async Task ListAsync_NewestFirstAndPaged()
    {
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await _store.AddAsync(Entry("alice", $"m{i}"))).Id);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(ids.AsEnumerable().Reverse(), (await _store.ListAsync(MemoryOwner.User("alice"))).Select(e => e.Id));
        Assert.Equal([ids[2], ids[1]], (await _store.ListAsync(MemoryOwner.User("alice"), skip: 2, take: 2)).Select(e => e.Id));
    }

    [Fact]
    public async Task Reopen_KeepsEntries()
    {
        var added = await _store.AddAsync(Entry("alice", "durable"));

        _store = new SqliteModelMemoryStore(_temp.Reopen(), _clock);

        Assert.Equal("durable", (await _store.GetAsync(MemoryOwner.User("alice"), added.Id))!.Content);
    }

    [Fact]
    public async Task BadInput_ThrowsArgumentExceptions()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("entry", () => _store.AddAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("entry.Owner", () => _store.AddAsync(new ModelMemoryEntry { Owner = default, Content = "x" }));
        await Assert.ThrowsAsync<ArgumentException>("entry.Content", () => _store.AddAsync(Entry("alice", "")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Content", () => _store.AddAsync(Entry("alice", "\uDFFF")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Category", () => _store.AddAsync(Entry("alice", "x", category: " ")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("entry.Importance", () => _store.AddAsync(Entry("alice", "x", importance: double.NaN)));
        await Assert.ThrowsAsync<ArgumentException>("entry.Source", () => _store.AddAsync(Entry("alice", "x", source: "")));
        await Assert.ThrowsAsync<ArgumentException>("owner", () => _store.GetAsync(default, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("take", () => _store.ListAsync(MemoryOwner.User("alice"), take: -1));
    }

    [Fact]
    public async Task AddAsync_SqlLookingContent_IsStoredVerbatim()
    {
        const string Content = "'; DROP TABLE model_memory; -- \"quoted\"";

        var added = await _store.AddAsync(Entry("alice", Content));

        Assert.Equal(Content, (await _store.GetAsync(MemoryOwner.User("alice"), added.Id))!.Content);
    }

    private static ModelMemoryEntry Entry(string userId, string content, string? category = null, double importance = 0.5, string source = "model")
        => new() { Owner = MemoryOwner.User(userId), Content = content, Category = category, Importance = importance, Source = source };
}
