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
        var read = await _store.GetAsync(MemoryOwner.User("alice"), stored.Id);
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
        Assert.Single(await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city"));
    }

    [Fact]
    public async Task UpsertAsync_NewValue_ClosesOldAndLinksIt()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        _clock.Advance(TimeSpan.FromDays(1));

        var berlin = await _store.UpsertAsync(Fact("alice", "city", "Berlin"));

        var current = Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "city"));
        Assert.Equal(berlin.Id, current.Id);
        var history = await _store.GetHistoryAsync(MemoryOwner.User("alice"), "CITY");
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

        Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "city"));
        var history = await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city");
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

        var current = await _store.GetCurrentAsync(MemoryOwner.User("alice"));

        Assert.Equal(["city", "name"], current.Select(e => e.Key));
        Assert.Empty(await _store.GetCurrentAsync(MemoryOwner.User("carol")));
    }

    [Fact]
    public async Task OtherOwner_CannotGetOrForgetById()
    {
        var alices = await _store.UpsertAsync(Fact("alice", "name", "Alice"));

        Assert.Null(await _store.GetAsync(MemoryOwner.User("bob"), alices.Id));
        Assert.False(await _store.ForgetAsync(MemoryOwner.User("bob"), alices.Id));
        Assert.True((await _store.GetAsync(MemoryOwner.User("alice"), alices.Id))!.IsCurrent);
        Assert.Empty(await _store.GetHistoryAsync(MemoryOwner.User("bob"), "name"));
    }

    [Fact]
    public async Task ForgetAsync_CurrentEntry_ErasesValueKeepsMarkerOnce()
    {
        var entry = await _store.UpsertAsync(Fact("alice", "name", "Alice"));
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await _store.ForgetAsync(MemoryOwner.User("alice"), entry.Id));
        Assert.False(await _store.ForgetAsync(MemoryOwner.User("alice"), entry.Id));

        Assert.Empty(await _store.GetCurrentAsync(MemoryOwner.User("alice")));
        var marker = (await _store.GetAsync(MemoryOwner.User("alice"), entry.Id))!;
        Assert.Equal(_clock.GetUtcNow(), marker.ValidTo);
        Assert.Equal(_clock.GetUtcNow(), marker.ForgottenAt);
        Assert.Equal(string.Empty, marker.Value);
        Assert.Null(marker.SupersededBy);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM knowledge_entries WHERE value LIKE '%Alice%';"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var renewed = await _store.UpsertAsync(Fact("alice", "name", "Alice"));
        Assert.NotEqual(entry.Id, renewed.Id);
        Assert.True(renewed.IsCurrent);
    }

    [Fact]
    public async Task ForgetAsync_HistoryEntry_ErasesItAndLeavesCurrent()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        _clock.Advance(TimeSpan.FromDays(1));
        var berlin = await _store.UpsertAsync(Fact("alice", "city", "Berlin"));

        Assert.True(await _store.ForgetAsync(MemoryOwner.User("alice"), paris.Id));

        Assert.Equal(berlin.Id, Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "city")).Id);
        var history = await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city");
        Assert.Equal(["", "Berlin"], history.Select(e => e.Value));
        Assert.True(history[0].IsForgotten);
    }

    [Fact]
    public async Task UpsertAsync_OlderSource_StoredAsHistoryNotCurrent()
    {
        var start = _clock.GetUtcNow();
        var porto = await _store.UpsertAsync(Fact("alice", "location", "Porto", sourceMessageId: 27, validFrom: start.AddMinutes(27)));

        var returned = await _store.UpsertAsync(Fact("alice", "location", "Lisbon", sourceMessageId: 1, validFrom: start.AddMinutes(1)));

        Assert.Equal(porto.Id, returned.Id);
        Assert.Equal("Porto", Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "location")).Value);
        var history = await _store.GetHistoryAsync(MemoryOwner.User("alice"), "location");
        var lisbon = Assert.Single(history, e => e.Value == "Lisbon");
        Assert.False(lisbon.IsCurrent);
        Assert.Equal(start.AddMinutes(1), lisbon.ValidFrom);
        Assert.Equal(start.AddMinutes(27), lisbon.ValidTo);
        Assert.Equal(porto.Id, lisbon.SupersededBy);
        Assert.True((await _store.GetAsync(MemoryOwner.User("alice"), porto.Id))!.IsCurrent);
    }

    [Fact]
    public async Task UpsertAsync_OlderSourceBetweenTwoValues_IsLinkedInTimeOrder()
    {
        var start = _clock.GetUtcNow();
        var a = await _store.UpsertAsync(Fact("alice", "location", "Aveiro", sourceMessageId: 1, validFrom: start));
        var c = await _store.UpsertAsync(Fact("alice", "location", "Coimbra", sourceMessageId: 30, validFrom: start.AddMinutes(30)));

        await _store.UpsertAsync(Fact("alice", "location", "Braga", sourceMessageId: 10, validFrom: start.AddMinutes(10)));

        var history = (await _store.GetHistoryAsync(MemoryOwner.User("alice"), "location")).ToDictionary(e => e.Value);
        Assert.Equal(history["Braga"].Id, history["Aveiro"].SupersededBy);
        Assert.Equal(start.AddMinutes(10), history["Aveiro"].ValidTo);
        Assert.Equal(c.Id, history["Braga"].SupersededBy);
        Assert.Equal(start.AddMinutes(30), history["Braga"].ValidTo);
        Assert.True(history["Coimbra"].IsCurrent);
        Assert.NotEqual(a.Id, history["Braga"].Id);
    }

    [Fact]
    public async Task UpsertAsync_SameTimeLowerMessageId_IsOlder()
    {
        await _store.UpsertAsync(Fact("alice", "location", "Porto", sourceMessageId: 54));

        await _store.UpsertAsync(Fact("alice", "location", "Lisbon", sourceMessageId: 1));

        Assert.Equal("Porto", Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "location")).Value);
    }

    [Fact]
    public async Task UpsertAsync_ExtractedFromMessageBeforeTheForget_IsDropped()
    {
        var start = _clock.GetUtcNow();
        var lisbon = await _store.UpsertAsync(Fact("alice", "location", "Lisbon", sourceMessageId: 1, validFrom: start));
        _clock.Advance(TimeSpan.FromHours(1));
        await _store.ForgetAsync(MemoryOwner.User("alice"), lisbon.Id);

        var again = await _store.UpsertAsync(Fact("alice", "location", "Lisbon", sourceMessageId: 1, validFrom: start));

        Assert.True(again.IsForgotten);
        Assert.Empty(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "location"));
        Assert.Single(await _store.GetHistoryAsync(MemoryOwner.User("alice"), "location"));
        _clock.Advance(TimeSpan.FromHours(1));
        var porto = await _store.UpsertAsync(Fact("alice", "location", "Porto", sourceMessageId: 2, validFrom: _clock.GetUtcNow()));
        Assert.True(porto.IsCurrent);
    }

    [Fact]
    public async Task DeleteOwnerAsync_RemovesOnlyThatOwner()
    {
        await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin"));
        await _store.UpsertAsync(Fact("bob", "city", "Oslo"));

        Assert.Equal(2, await _store.DeleteOwnerAsync(MemoryOwner.User("alice")));

        Assert.Empty(await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city"));
        Assert.Equal("Oslo", Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("bob"))).Value);
    }

    [Fact]
    public async Task DeleteBySessionAsync_RemovesSessionEntriesAndReopensWhatTheySuperseded()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris", sessionId: "s1"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin", sessionId: "s2"));
        await _store.UpsertAsync(Fact("alice", "pet", "cat", sessionId: "s2"));
        var name = await _store.UpsertAsync(Fact("alice", "name", "Alice", sessionId: "s1"));

        Assert.Equal(2, await _store.DeleteBySessionAsync(MemoryOwner.User("alice"), "s2"));

        var current = await _store.GetCurrentAsync(MemoryOwner.User("alice"));
        Assert.Equal([paris.Id, name.Id], current.Select(e => e.Id).Order());
        var reopened = (await _store.GetAsync(MemoryOwner.User("alice"), paris.Id))!;
        Assert.True(reopened.IsCurrent);
        Assert.Null(reopened.SupersededBy);
        Assert.Equal(0, await _store.DeleteBySessionAsync(MemoryOwner.User("alice"), "s2"));
    }

    [Fact]
    public async Task DeleteBySessionAsync_MiddleOfChain_RelinksToNextSurvivor()
    {
        var paris = await _store.UpsertAsync(Fact("alice", "city", "Paris", sessionId: "s1"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin", sessionId: "s2"));
        var rome = await _store.UpsertAsync(Fact("alice", "city", "Rome", sessionId: "s3"));

        await _store.DeleteBySessionAsync(MemoryOwner.User("alice"), "s2");

        var history = await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city");
        Assert.Equal([paris.Id, rome.Id], history.Select(e => e.Id));
        Assert.Equal(rome.Id, history[0].SupersededBy);
        Assert.False(history[0].IsCurrent);
        Assert.Equal(rome.Id, Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "city")).Id);
    }

    [Fact]
    public async Task Reopen_KeepsHistory()
    {
        await _store.UpsertAsync(Fact("alice", "city", "Paris"));
        await _store.UpsertAsync(Fact("alice", "city", "Berlin"));

        _store = new SqliteKnowledgeStore(_temp.Reopen(), _clock);

        Assert.Equal(["Paris", "Berlin"], (await _store.GetHistoryAsync(MemoryOwner.User("alice"), "city")).Select(e => e.Value));
    }

    [Fact]
    public async Task BadInput_ThrowsArgumentExceptions()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("entry", () => _store.UpsertAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("entry.Owner", () => _store.UpsertAsync(new KnowledgeEntry { Owner = default, Key = "k", Value = "v" }));
        await Assert.ThrowsAsync<ArgumentException>("entry.Key", () => _store.UpsertAsync(Fact("alice", "", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Key", () => _store.UpsertAsync(Fact("alice", "--", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => _store.UpsertAsync(Fact("alice", "k", "  ")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => _store.UpsertAsync(Fact("alice", "k", "a\uD800")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("entry.Confidence", () => _store.UpsertAsync(new KnowledgeEntry { Owner = MemoryOwner.User("a"), Key = "k", Value = "v", Confidence = 1.5 }));
        await Assert.ThrowsAsync<ArgumentException>("owner", () => _store.GetCurrentAsync(default));
        await Assert.ThrowsAsync<ArgumentNullException>("key", () => _store.GetHistoryAsync(MemoryOwner.User("alice"), null!));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.DeleteBySessionAsync(MemoryOwner.User("alice"), " "));
    }

    [Fact]
    public async Task UpsertAsync_SqlLookingValue_IsStoredVerbatim()
    {
        const string Value = "x'); DELETE FROM knowledge_entries; --";

        await _store.UpsertAsync(Fact("alice", "motto", Value));

        Assert.Equal(Value, Assert.Single(await _store.GetCurrentAsync(MemoryOwner.User("alice"), "motto")).Value);
    }

    private static KnowledgeEntry Fact(string userId, string key, string value, string? sessionId = null, long? sourceMessageId = null, DateTimeOffset validFrom = default)
        => new() { Owner = MemoryOwner.User(userId), Key = key, Value = value, SessionId = sessionId, SourceMessageId = sourceMessageId, Confidence = 0.9, ValidFrom = validFrom };

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _temp.Database.OpenConnectionAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, sql);
    }
}
