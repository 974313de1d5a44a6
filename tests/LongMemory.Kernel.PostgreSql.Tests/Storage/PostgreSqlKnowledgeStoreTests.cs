using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlKnowledgeStoreTests : IAsyncLifetime
{
    private static readonly MemoryOwner Alice = MemoryOwner.User("alice");
    private static readonly MemoryOwner Bob = MemoryOwner.User("bob");
    private KnowledgeSideStores _stores = null!;

    private PostgreSqlKnowledgeStore Store => _stores.Knowledge;

    private DateTimeOffset Now => _stores.Clock.GetUtcNow();

    public async Task InitializeAsync() => _stores = await KnowledgeSideStores.CreateAsync();

    public async Task DisposeAsync() => await _stores.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_NewKey_StoresNormalizedKeyTimestampsAndAnOutboxEntry()
    {
        var stored = await Store.UpsertAsync(Fact(Alice, "Favorite Color", "  blue ", sessionId: "s1", sourceMessageId: 7));

        Assert.Equal("favorite_color", stored.Key);
        Assert.Equal("blue", stored.Value);
        Assert.Equal(Now, stored.ValidFrom);
        Assert.Equal(Now, stored.CreatedAt);
        var read = (await Store.GetAsync(Alice, stored.Id))!;
        Assert.Equal("s1", read.SessionId);
        Assert.Equal(7, read.SourceMessageId);
        Assert.Equal(0.9, read.Confidence);
        Assert.Equal(Now, read.ValidFrom);
        Assert.True(read.IsCurrent);
        Assert.Equal(1, await _stores.CountAsync(
            "SELECT count(*) FROM {schema}.index_outbox WHERE owner_key = $1 AND session_id = 's1' AND kind = 'knowledge' AND source_id = 'favorite_color' AND op = 'upsert';", Alice.Key));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SameValueDifferentCase_ReturnsExistingUnchanged()
    {
        var first = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromDays(1));

        var again = await Store.UpsertAsync(Fact(Alice, "City", "PARIS"));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal("Paris", again.Value);
        Assert.Single(await Store.GetHistoryAsync(Alice, "city"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_NewerSource_ClosesOldAndLinksIt()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromDays(1));

        var berlin = await Store.UpsertAsync(Fact(Alice, "city", "Berlin"));

        Assert.Equal(berlin.Id, Assert.Single(await Store.GetCurrentAsync(Alice, "city")).Id);
        var history = await Store.GetHistoryAsync(Alice, "CITY");
        Assert.Equal([paris.Id, berlin.Id], history.Select(e => e.Id));
        Assert.Equal(berlin.Id, history[0].SupersededBy);
        Assert.Equal(Now, history[0].ValidTo);
        Assert.False(history[0].IsCurrent);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_OlderSource_StoredAsHistoryAndCurrentStays()
    {
        var start = Now;
        var porto = await Store.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 27, validFrom: start.AddMinutes(27)));

        var returned = await Store.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1, validFrom: start.AddMinutes(1)));

        Assert.Equal(porto.Id, returned.Id);
        Assert.Equal("Porto", Assert.Single(await Store.GetCurrentAsync(Alice, "location")).Value);
        var lisbon = Assert.Single(await Store.GetHistoryAsync(Alice, "location"), e => e.Value == "Lisbon");
        Assert.False(lisbon.IsCurrent);
        Assert.Equal(start.AddMinutes(1), lisbon.ValidFrom);
        Assert.Equal(start.AddMinutes(27), lisbon.ValidTo);
        Assert.Equal(porto.Id, lisbon.SupersededBy);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_OlderSourceBetweenTwoValues_IsLinkedInTimeOrder()
    {
        var start = Now;
        await Store.UpsertAsync(Fact(Alice, "location", "Aveiro", sourceMessageId: 1, validFrom: start));
        var coimbra = await Store.UpsertAsync(Fact(Alice, "location", "Coimbra", sourceMessageId: 30, validFrom: start.AddMinutes(30)));

        await Store.UpsertAsync(Fact(Alice, "location", "Braga", sourceMessageId: 10, validFrom: start.AddMinutes(10)));

        var history = (await Store.GetHistoryAsync(Alice, "location")).ToDictionary(e => e.Value);
        Assert.Equal(history["Braga"].Id, history["Aveiro"].SupersededBy);
        Assert.Equal(start.AddMinutes(10), history["Aveiro"].ValidTo);
        Assert.Equal(coimbra.Id, history["Braga"].SupersededBy);
        Assert.Equal(start.AddMinutes(30), history["Braga"].ValidTo);
        Assert.True(history["Coimbra"].IsCurrent);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SameTimeLowerMessageId_IsOlder()
    {
        await Store.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 54));

        await Store.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1));

        Assert.Equal("Porto", Assert.Single(await Store.GetCurrentAsync(Alice, "location")).Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SubMillisecondLaterSource_IsTheSameTimeAsOnSqlite()
    {
        // Both backends keep milliseconds: 0.4 ms later is the same time, so the message id decides.
        await Store.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 54, validFrom: Now));

        await Store.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1, validFrom: Now.AddTicks(4_000)));

        Assert.Equal("Porto", Assert.Single(await Store.GetCurrentAsync(Alice, "location")).Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetAsync_CurrentEntry_ErasesValueKeepsMarkerOnceAndNoOlderValueReturns()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        var berlin = await Store.UpsertAsync(Fact(Alice, "city", "Berlin"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await Store.ForgetAsync(Alice, berlin.Id));
        Assert.False(await Store.ForgetAsync(Alice, berlin.Id));

        Assert.Empty(await Store.GetCurrentAsync(Alice));
        var marker = (await Store.GetAsync(Alice, berlin.Id))!;
        Assert.Equal(Now, marker.ValidTo);
        Assert.Equal(Now, marker.ForgottenAt);
        Assert.Equal(string.Empty, marker.Value);
        Assert.False((await Store.GetAsync(Alice, paris.Id))!.IsCurrent);
        Assert.Equal(0, await _stores.CountAsync("SELECT count(*) FROM {schema}.knowledge_entries WHERE value LIKE '%Berlin%';"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        var renewed = await Store.UpsertAsync(Fact(Alice, "city", "Berlin"));
        Assert.NotEqual(berlin.Id, renewed.Id);
        Assert.True(renewed.IsCurrent);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetAsync_HistoryEntry_ErasesItAndLeavesCurrent()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromDays(1));
        var berlin = await Store.UpsertAsync(Fact(Alice, "city", "Berlin"));

        Assert.True(await Store.ForgetAsync(Alice, paris.Id));

        Assert.Equal(berlin.Id, Assert.Single(await Store.GetCurrentAsync(Alice, "city")).Id);
        var history = await Store.GetHistoryAsync(Alice, "city");
        Assert.Equal(["", "Berlin"], history.Select(e => e.Value));
        Assert.True(history[0].IsForgotten);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_ExtractedFromMessageBeforeTheForget_IsDropped()
    {
        var start = Now;
        var lisbon = await Store.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1, validFrom: start));
        _stores.Clock.Advance(TimeSpan.FromHours(1));
        await Store.ForgetAsync(Alice, lisbon.Id);

        var again = await Store.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1, validFrom: start));

        Assert.True(again.IsForgotten);
        Assert.Empty(await Store.GetCurrentAsync(Alice, "location"));
        Assert.Single(await Store.GetHistoryAsync(Alice, "location"));
        _stores.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await Store.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 2, validFrom: Now))).IsCurrent);
    }

    [Fact(Timeout = 60_000)]
    public async Task OtherOwners_CannotReadForgetOrDeleteAnEntry()
    {
        var alices = await Store.UpsertAsync(Fact(Alice, "name", "Alice", sessionId: "s1"));
        var lookalike = MemoryOwner.AnonymousSession(Alice.Key);

        foreach (var other in new[] { Bob, lookalike, MemoryOwner.AnonymousSession("alice") })
        {
            Assert.Null(await Store.GetAsync(other, alices.Id));
            Assert.False(await Store.ForgetAsync(other, alices.Id));
            Assert.Empty(await Store.GetHistoryAsync(other, "name"));
            Assert.Empty(await Store.GetCurrentAsync(other));
            Assert.Equal(0, await Store.DeleteBySessionAsync(other, "s1"));
            Assert.Equal(0, await Store.DeleteOwnerAsync(other));
        }

        var intact = (await Store.GetAsync(Alice, alices.Id))!;
        Assert.True(intact.IsCurrent);
        Assert.Equal("Alice", intact.Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_TwoAtOnceOnOneKey_BothLandAndOneStaysCurrent()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));

        // Hold the current row so both upserts are provably in flight (each blocked on a lock) before either proceeds.
        await using var holder = await _stores.Schema.OpenAdminConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync(timeout.Token);
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM \"{_stores.Schema.Name}\".knowledge_entries WHERE id = $1 FOR UPDATE;", holder, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = paris.Id });
            await lockRow.ExecuteNonQueryAsync(timeout.Token);
        }

        var upserts = new[] { Store.UpsertAsync(Fact(Alice, "city", "Berlin"), timeout.Token), Store.UpsertAsync(Fact(Alice, "city", "Rome"), timeout.Token) };
        await _stores.Schema.WaitForLockWaitersAsync(2, timeout.Token);
        await transaction.CommitAsync(timeout.Token);
        var results = await Task.WhenAll(upserts);

        var current = Assert.Single(await Store.GetCurrentAsync(Alice, "city"));
        Assert.Contains(current.Id, results.Select(r => r.Id));
        var history = await Store.GetHistoryAsync(Alice, "city");
        Assert.Equal("Paris", history[0].Value);
        Assert.Equal(["Berlin", "Paris", "Rome"], history.Select(e => e.Value).Order(StringComparer.Ordinal));
        Assert.Equal(2, history.Count(e => e.SupersededBy is not null));
        Assert.All(history.Where(e => !e.IsCurrent), e => Assert.Contains(e.SupersededBy!.Value, history.Select(h => h.Id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_ManyConcurrentValues_LeaveOneCurrentEntryAndAFullChain()
    {
        var values = Enumerable.Range(0, 12).Select(i => $"city{i}").ToList();

        await Task.WhenAll(values.Select(v => Task.Run(() => Store.UpsertAsync(Fact(Alice, "city", v)))));

        Assert.Single(await Store.GetCurrentAsync(Alice, "city"));
        var history = await Store.GetHistoryAsync(Alice, "city");
        Assert.Equal(12, history.Count);
        Assert.Equal(11, history.Count(e => e.SupersededBy is not null));
        Assert.Equal(11, history.Select(e => e.SupersededBy).OfType<long>().Distinct().Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_OutboxInsertFails_StoresNothing()
    {
        await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));

        // A pending entry for the key would absorb the new one (no insert, nothing to fail): the indexer took it.
        await _stores.Schema.ScalarAsync("DELETE FROM {schema}.index_outbox;");
        await _stores.BreakOutboxAsync();

        await Assert.ThrowsAsync<LongMemoryStoreException>(() => Store.UpsertAsync(Fact(Alice, "city", "Berlin")));

        Assert.Equal(["Paris"], (await Store.GetHistoryAsync(Alice, "city")).Select(e => e.Value));
        Assert.True(Assert.Single(await Store.GetHistoryAsync(Alice, "city")).IsCurrent);
    }

    [Fact(Timeout = 60_000)]
    public async Task ForgetAsync_OutboxInsertFails_KeepsTheValue()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        await _stores.Schema.ScalarAsync("DELETE FROM {schema}.index_outbox;");
        await _stores.BreakOutboxAsync();

        await Assert.ThrowsAsync<LongMemoryStoreException>(() => Store.ForgetAsync(Alice, paris.Id));

        Assert.Equal("Paris", (await Store.GetAsync(Alice, paris.Id))!.Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteOwnerAsync_RemovesOnlyThatOwnerWithItsCount()
    {
        await Store.UpsertAsync(Fact(Alice, "city", "Paris"));
        _stores.Clock.Advance(TimeSpan.FromMinutes(1));
        await Store.UpsertAsync(Fact(Alice, "city", "Berlin"));
        await Store.UpsertAsync(Fact(Bob, "city", "Oslo"));

        Assert.Equal(2, await Store.DeleteOwnerAsync(Alice));

        Assert.Empty(await Store.GetHistoryAsync(Alice, "city"));
        Assert.Equal("Oslo", Assert.Single(await Store.GetCurrentAsync(Bob)).Value);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteBySessionAsync_RemovesSessionEntriesReopensWhatTheySupersededAndQueuesTheKeys()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris", sessionId: "s1"));
        await Store.UpsertAsync(Fact(Alice, "city", "Berlin", sessionId: "s2"));
        await Store.UpsertAsync(Fact(Alice, "pet", "cat", sessionId: "s2"));
        var name = await Store.UpsertAsync(Fact(Alice, "name", "Alice", sessionId: "s1"));
        await Store.UpsertAsync(Fact(Bob, "pet", "dog", sessionId: "s2"));
        await _stores.Schema.ScalarAsync("DELETE FROM {schema}.index_outbox;");

        Assert.Equal(2, await Store.DeleteBySessionAsync(Alice, "s2"));

        Assert.Equal([paris.Id, name.Id], (await Store.GetCurrentAsync(Alice)).Select(e => e.Id).Order());
        var reopened = (await Store.GetAsync(Alice, paris.Id))!;
        Assert.True(reopened.IsCurrent);
        Assert.Null(reopened.SupersededBy);
        Assert.Equal("dog", Assert.Single(await Store.GetCurrentAsync(Bob)).Value);
        Assert.Equal(2, await _stores.CountAsync(
            "SELECT count(*) FROM {schema}.index_outbox WHERE owner_key = $1 AND kind = 'knowledge' AND op = 'delete' AND source_id IN ('city', 'pet');", Alice.Key));
        Assert.Equal(0, await Store.DeleteBySessionAsync(Alice, "s2"));
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteBySessionAsync_MiddleOfChain_RelinksToNextSurvivor()
    {
        var paris = await Store.UpsertAsync(Fact(Alice, "city", "Paris", sessionId: "s1"));
        await Store.UpsertAsync(Fact(Alice, "city", "Berlin", sessionId: "s2"));
        var rome = await Store.UpsertAsync(Fact(Alice, "city", "Rome", sessionId: "s3"));

        await Store.DeleteBySessionAsync(Alice, "s2");

        var history = await Store.GetHistoryAsync(Alice, "city");
        Assert.Equal([paris.Id, rome.Id], history.Select(e => e.Id));
        Assert.Equal(rome.Id, history[0].SupersededBy);
        Assert.False(history[0].IsCurrent);
        Assert.Equal(rome.Id, Assert.Single(await Store.GetCurrentAsync(Alice, "city")).Id);
    }

    [Fact(Timeout = 60_000)]
    public async Task BadInput_ThrowsArgumentExceptionsBeforeTheServer()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("entry", () => Store.UpsertAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>("entry.Owner", () => Store.UpsertAsync(Fact(default, "k", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Key", () => Store.UpsertAsync(Fact(Alice, "--", "v")));
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => Store.UpsertAsync(Fact(Alice, "k", "a\uD800")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("entry.Confidence", () => Store.UpsertAsync(new KnowledgeEntry { Owner = Alice, Key = "k", Value = "v", Confidence = 1.5 }));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => Store.DeleteBySessionAsync(Alice, " "));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_EscapeCharacter_RoundTripsAndNulIsRefusedAsOnSqlite()
    {
        var owner = MemoryOwner.User("al\uE000ice\uE0000");
        const string Value = "private \uE000 use \uE0000 twice";
        await Assert.ThrowsAsync<ArgumentException>("entry.Value", () => Store.UpsertAsync(Fact(owner, "motto", "nul\0inside")));

        var stored = await Store.UpsertAsync(Fact(owner, "motto", Value, sessionId: "s\uE0001"));
        var again = await Store.UpsertAsync(Fact(owner, "motto", Value.ToUpperInvariant()));

        Assert.Equal(stored.Id, again.Id);
        var read = Assert.Single(await Store.GetCurrentAsync(owner));
        Assert.Equal(Value, read.Value);
        Assert.Equal(owner, read.Owner);
        Assert.Equal("s\uE0001", read.SessionId);
        Assert.Empty(await Store.GetCurrentAsync(MemoryOwner.User("al\uE000eice\uE000e0")));
        Assert.Equal(1, await Store.DeleteBySessionAsync(owner, "s\uE0001"));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_SqlLookingValue_IsStoredVerbatim()
    {
        const string Value = "x'); DELETE FROM knowledge_entries; --";

        await Store.UpsertAsync(Fact(Alice, "motto", Value));

        Assert.Equal(Value, Assert.Single(await Store.GetCurrentAsync(Alice, "motto")).Value);
    }

    private static KnowledgeEntry Fact(MemoryOwner owner, string key, string value, string? sessionId = null, long? sourceMessageId = null, DateTimeOffset validFrom = default)
        => new() { Owner = owner, Key = key, Value = value, SessionId = sessionId, SourceMessageId = sourceMessageId, Confidence = 0.9, ValidFrom = validFrom };
}
