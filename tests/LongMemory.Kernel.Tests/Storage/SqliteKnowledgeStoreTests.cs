namespace LongMemory.Kernel.Tests.Storage;

public sealed class SqliteKnowledgeStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly ManualClock _clock = new();
    private SqliteKnowledgeStore _store;

    public SqliteKnowledgeStoreTests() => _store = new SqliteKnowledgeStore(_temp.Database, _clock);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UpsertAsync_NewKey_StoresNormalizedKeyAndTimestamps()
    {
        var stored = await _store.UpsertAsync(Fact("alice", "Favorite Color", "  blue ", sessionId: "s1", sourceMessageId: 7));

        Assert.True(stored.Id > 0);
        Assert.Equal("favorite_color", stored.Key);
        Assert.Equal("blue", stored.Value);
        Assert.Equal(_clock.GetUtcNow(), stored.ValidFrom);
        Assert.Equal(_clock.GetUtcNow(), stored.CreatedAt);
        Assert.True(stored.IsCurrent);
        var read = await _store.GetAsync("alice", stored.Id);
        Assert.Equal("s1", read!.SessionId);
        Assert.Equal(7, read.SourceMessageId);
        Assert.Equal(0.9, read.Confidence);
    }

    [Theory]
    [InlineData("favoriteColor", "favorite_color")]
    [InlineData("favorite-color", "favorite_color")]
    [InlineData("  FAVORITE   COLOR ", "favorite_color")]
    [InlineData("HTTPServer name", "http_server_name")]
    [InlineData("address2", "address2")]
    [InlineData("lieu_de_naissance", "lieu_de_naissance")]
    public void Normalize_VariousForms_GivesSnakeCase(string key, string expected)
        => Assert.Equal(expected, KnowledgeKey.Normalize(key, "key"));

    [Fact]
    public async Task UpsertAsync_SameValueDifferentCase_ReturnsExistingUnchanged()
    {
        var first = await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        _clock.Advance(TimeSpan.FromDays(1));

        var again = await _store.UpsertAsync(Fact("alice", "City", "PARIS"));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal("Paris", again.Value);
        Assert.Single(await _store.GetHistoryAsync("alice", "city"));
    }

    [Fact]
    public async Task UpsertAsync_NewValue_ClosesOldAndLinksIt()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        _clock.Advance(TimeSpan.FromDays(1));

        var berlin = await _store.UpsertAsync(Fact("alice", "city", "Berlin"));

        var current = Assert.Single(await _store.GetCurrentAsync("alice", "city"));
        Assert.Equal(berlin.Id, current.Id);
        var history = await _store.GetHistoryAsync("alice", "CITY");
        Assert.Equal([paris.Id, berlin.Id], history.Select(e => e.Id));
        Assert.Equal(berlin.Id, history[0].SupersededBy);
        Assert.Equal(_clock.GetUtcNow(), history[0].ValidTo);
        Assert.False(history[0].IsCurrent);
    }

    [Fact]
    public async Task UpsertAsync_ConcurrentDifferentValues_LeaveOneCurrentEntry()
    {
        var values = Enumerable.Range(0, 8).Select(i => $"city{i}").ToList();

        await Task.WhenAll(values.Select(v => Task.Run(() => _store.UpsertAsync(Fact("alice", "city", v)))));

        Assert.Single(await _store.GetCurrentAsync("alice", "city"));
        var history = await _store.GetHistoryAsync("alice", "city");
        Assert.Equal(8, history.Count);
        Assert.Equal(7, history.Count(e => e.SupersededBy is not null));
    }

    [Fact]
    public async Task GetCurrentAsync_AllKeys_MostRecentFirstAndOwnerOnly()
    {
        await _store.UpsertAsync(Fact("alice", "name", "Alice"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        await _store.UpsertAsync(Fact("bob", "name", "Bob"));

        var current = await _store.GetCurrentAsync("alice");

        Assert.Equal(["city", "name"], current.Select(e => e.Key));
        Assert.Empty(await _store.GetCurrentAsync("carol"));
    }

    [Fact]
    public async Task OtherOwner_CannotGetOrCloseById()
    {
        var alices = await _store.UpsertAsync(Fact("alice", "name", "Alice"));

        Assert.Null(await _store.GetAsync("bob", alices.Id));
        Assert.False(await _store.CloseAsync("bob", alices.Id));
        Assert.True((await _store.GetAsync("alice", alices.Id))!.IsCurrent);
        Assert.Empty(await _store.GetHistoryAsync("bob", "name"));
    }

    [Fact]
    public async Task CloseAsync_CurrentEntry_ForgetsItOnce()
    {
        var entry = await _store.UpsertAsync(Fact("alice", "name", "Alice"));
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await _store.CloseAsync("alice", entry.Id));
        Assert.False(await _store.CloseAsync("alice", entry.Id));

        Assert.Empty(await _store.GetCurrentAsync("alice"));
        var closed = (await _store.GetAsync("alice", entry.Id))!;
        Assert.Equal(_clock.GetUtcNow(), closed.ValidTo);
        Assert.Null(closed.SupersededBy);
        var renewed = await _store.UpsertAsync(Fact("alice", "name", "Alice"));
        Assert.NotEqual(entry.Id, renewed.Id);
    }

    [Fact]
    public async Task DeleteBySessionAsync_RemovesSessionEntriesAndReopensWhatTheySuperseded()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris", sessionId: "s1"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin", sessionId: "s2"));
        await _store.UpsertAsync(Fact("alice", "pet", "cat", sessionId: "s2"));
        var name = await _store.UpsertAsync(Fact("alice", "name", "Alice", sessionId: "s1"));

        Assert.Equal(2, await _store.DeleteBySessionAsync("alice", "s2"));

        var current = await _store.GetCurrentAsync("alice");
        Assert.Equal([paris.Id, name.Id], current.Select(e => e.Id).Order());
        var reopened = (await _store.GetAsync("alice", paris.Id))!;
        Assert.True(reopened.IsCurrent);
        Assert.Null(reopened.SupersededBy);
        Assert.Equal(0, await _store.DeleteBySessionAsync("alice", "s2"));
    }

    [Fact]
    public async Task DeleteBySessionAsync_MiddleOfChain_RelinksToNextSurvivor()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris", sessionId: "s1"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin", sessionId: "s2"));
        var rome = await _store.UpsertAsync(Fact("alice", "city", "Rome", sessionId: "s3"));

        await _store.DeleteBySessionAsync("alice", "s2");

        var history = await _store.GetHistoryAsync("alice", "city");
        Assert.Equal([paris.Id, rome.Id], history.Select(e => e.Id));
        Assert.Equal(rome.Id, history[0].SupersededBy);
        Assert.False(history[0].IsCurrent);
        Assert.Equal(rome.Id, Assert.Single(await _store.GetCurrentAsync("alice", "city")).Id);
    }

    [Fact]
    public async Task Reopen_KeepsHistory()
    {
        await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin"));

        _store = new SqliteKnowledgeStore(_temp.Reopen(), _clock);

        Assert.Equal(["Paris", "Berlin"], (await _store.GetHistoryAsync("alice", "city")).Select(e => e.Value));
    }

    [Fact]
    public async Task BadInput_ThrowsArgumentExceptions()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("entry", () => _store.UpsertAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("entry.UserId", () => _store.UpsertAsync(Fact(" ", "k", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Key", () => _store.UpsertAsync(Fact("alice", "", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Key", () => _store.UpsertAsync(Fact("alice", "--", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => _store.UpsertAsync(Fact("alice", "k", "  ")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => _store.UpsertAsync(Fact("alice", "k", "a\uD800")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("entry.Confidence", () => _store.UpsertAsync(new KnowledgeEntry { UserId = "a", Key = "k", Value = "v", Confidence = 1.5 }));
        await Assert.ThrowsAsync<ArgumentException>("userId", () => _store.GetCurrentAsync(""));
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => _store.GetHistoryAsync("alice", null!));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.DeleteBySessionAsync("alice", " "));
    }

    [Fact]
    public async Task UpsertAsync_SqlLookingValue_IsStoredVerbatim()
    {
        const string Value = "x'); DELETE FROM knowledge_entries; --";

        await _store.UpsertAsync(Fact("alice", "motto", Value));

        Assert.Equal(Value, Assert.Single(await _store.GetCurrentAsync("alice", "motto")).Value);
    }

    private static KnowledgeEntry Fact(string userId, string key, string value, string? sessionId = null, long? sourceMessageId = null)
        => new() { UserId = userId, Key = key, Value = value, SessionId = sessionId, SourceMessageId = sourceMessageId, Confidence = 0.9 };
}
