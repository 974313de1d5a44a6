using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IKnowledgeStore"/> must have: one current fact per owner and key, knowledge that never
/// goes back in time (an older source becomes history), forget that erases the value and keeps only that it was forgotten,
/// and nothing of another owner's facts read, superseded, forgotten or deleted.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>Keys are normalized to snake_case ("Favorite Color" is <c>favorite_color</c>) on write and lookup; values are trimmed.</item>
/// <item>A fact extracted from a message that is not newer than the key's latest forget is dropped.</item>
/// <item>Deleting a session's entries makes an older fact of another session current again when the deleted one was current.</item>
/// <item>Recording and forgetting a fact write its indexing outbox entry (source id: the key).</item>
/// </list>
/// </remarks>
public abstract class KnowledgeStoreConformanceTests : StoreConformanceTestBase
{
    [Fact]
    public async Task UpsertAsync_NewFact_IsCurrentWithNormalizedKeyAndTrimmedValue()
    {
        var stored = await Stores.Knowledge.UpsertAsync(Fact(Alice, "Favorite Color", "  blue ", sessionId: "s1", sourceMessageId: 7));

        Assert.True(stored.IsCurrent);
        Assert.Equal("favorite_color", stored.Key);
        Assert.Equal("blue", stored.Value);
        var read = await Stores.Knowledge.GetAsync(Alice, stored.Id);
        Assert.NotNull(read);
        Assert.Equal(Alice, read.Owner);
        Assert.Equal("blue", read.Value);
        Assert.Equal("s1", read.SessionId);
        Assert.Equal(7, read.SourceMessageId);
        Assert.Equal(0.9, read.Confidence);
        Assert.Equal(Start, read.ValidFrom);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Null(read.ValidTo);
        Assert.False(read.IsForgotten);
        Assert.Equal([stored.Id], (await Stores.Knowledge.GetCurrentAsync(Alice, "favoriteColor")).Select(e => e.Id));
    }

    [Fact]
    public async Task GetCurrentAsync_SeveralKeys_ReturnsOneCurrentFactPerKeyMostRecentFirst()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "name", "Alice"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "pet", "cat"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Berlin"));

        Assert.Equal(["city=Berlin", "pet=cat", "name=Alice"], (await Stores.Knowledge.GetCurrentAsync(Alice)).Select(e => $"{e.Key}={e.Value}"));
    }

    [Fact]
    public async Task UpsertAsync_SameValueInAnotherCase_ReturnsTheCurrentEntryUnchanged()
    {
        var first = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris"));
        Clock.Advance(TimeSpan.FromDays(1));

        var again = await Stores.Knowledge.UpsertAsync(Fact(Alice, "City", "PARIS"));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal("Paris", again.Value);
        Assert.Single(await Stores.Knowledge.GetHistoryAsync(Alice, "city"));
    }

    [Fact]
    public async Task UpsertAsync_NewerSource_SupersedesTheCurrentFactAndLinksIt()
    {
        var paris = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris"));
        Clock.Advance(TimeSpan.FromDays(1));

        var berlin = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Berlin"));

        Assert.Equal("Berlin", berlin.Value);
        Assert.Equal([berlin.Id], (await Stores.Knowledge.GetCurrentAsync(Alice, "city")).Select(e => e.Id));
        var history = await Stores.Knowledge.GetHistoryAsync(Alice, "CITY");
        Assert.Equal([paris.Id, berlin.Id], history.Select(e => e.Id));
        Assert.False(history[0].IsCurrent);
        Assert.Equal(berlin.Id, history[0].SupersededBy);
        Assert.Equal(Start.AddDays(1), history[0].ValidTo);
        Assert.True(history[1].IsCurrent);
    }

    [Fact]
    public async Task UpsertAsync_OlderSource_BecomesHistoryAndTheNewerFactStaysCurrent()
    {
        // The per-message extractor recorded Porto (turn 27); a later reduction re-extracts Lisbon from turn 1.
        var porto = await Stores.Knowledge.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 27, validFrom: Start.AddMinutes(27)));
        Clock.Advance(TimeSpan.FromHours(1));

        var result = await Stores.Knowledge.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 1, validFrom: Start.AddMinutes(1)));

        Assert.Equal(porto.Id, result.Id);
        var current = Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice, "location"));
        Assert.Equal("Porto", current.Value);
        var lisbon = Assert.Single(await Stores.Knowledge.GetHistoryAsync(Alice, "location"), e => e.Value == "Lisbon");
        Assert.False(lisbon.IsCurrent);
        Assert.Equal(porto.Id, lisbon.SupersededBy);
    }

    [Fact]
    public async Task UpsertAsync_SameTimeOlderMessage_BecomesHistory()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "location", "Porto", sourceMessageId: 27, validFrom: Start));

        await Stores.Knowledge.UpsertAsync(Fact(Alice, "location", "Lisbon", sourceMessageId: 3, validFrom: Start));

        Assert.Equal("Porto", Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice, "location")).Value);
        Assert.Equal(2, (await Stores.Knowledge.GetHistoryAsync(Alice, "location")).Count);
    }

    [Fact]
    public async Task UpsertAsync_ConcurrentDifferentValues_LeaveExactlyOneCurrentFact()
    {
        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris")),
            () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Berlin")));

        Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice, "city"));
        var history = await Stores.Knowledge.GetHistoryAsync(Alice, "city");
        Assert.Equal(["Berlin", "Paris"], history.Select(e => e.Value).Order(StringComparer.Ordinal));
        Assert.NotEqual(first.Value, second.Value);
    }

    [Fact]
    public async Task ForgetAsync_CurrentFact_ErasesTheValueKeepsAMarkerAndBringsNoOlderValueBack()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Lisbon"));
        Clock.Advance(TimeSpan.FromDays(1));
        var porto = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Porto"));
        Clock.Advance(TimeSpan.FromDays(1));

        Assert.True(await Stores.Knowledge.ForgetAsync(Alice, porto.Id));

        Assert.Empty(await Stores.Knowledge.GetCurrentAsync(Alice, "city"));
        Assert.Empty(await Stores.Knowledge.GetCurrentAsync(Alice));
        var history = await Stores.Knowledge.GetHistoryAsync(Alice, "city");
        Assert.DoesNotContain(history, e => e.Value.Contains("Porto", StringComparison.OrdinalIgnoreCase));
        var marker = Assert.Single(history, e => e.Id == porto.Id);
        Assert.True(marker.IsForgotten);
        Assert.Equal(Start.AddDays(2), marker.ForgottenAt);
        Assert.False(marker.IsCurrent);
        Assert.DoesNotContain("Porto", (await Stores.Knowledge.GetAsync(Alice, porto.Id))?.Value ?? string.Empty, StringComparison.Ordinal);
        Assert.False(await Stores.Knowledge.ForgetAsync(Alice, porto.Id));
    }

    [Fact]
    public async Task ForgetAsync_HistoryEntry_ErasesItsValueAndTheCurrentFactStays()
    {
        var lisbon = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Lisbon"));
        Clock.Advance(TimeSpan.FromDays(1));
        var porto = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Porto"));

        Assert.True(await Stores.Knowledge.ForgetAsync(Alice, lisbon.Id));

        Assert.Equal([porto.Id], (await Stores.Knowledge.GetCurrentAsync(Alice, "city")).Select(e => e.Id));
        var history = await Stores.Knowledge.GetHistoryAsync(Alice, "city");
        Assert.DoesNotContain(history, e => e.Value.Contains("Lisbon", StringComparison.OrdinalIgnoreCase));
        Assert.True(Assert.Single(history, e => e.Id == lisbon.Id).IsForgotten);
    }

    [Fact]
    public async Task UpsertAsync_FactFromAMessageBeforeTheForget_IsDroppedAndALaterOneIsKept()
    {
        var fact = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Lisbon", sourceMessageId: 1, validFrom: Start));
        Clock.Advance(TimeSpan.FromDays(1));
        await Stores.Knowledge.ForgetAsync(Alice, fact.Id);

        // A later reduction round re-reads the old message: the forgotten fact must not come back.
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Lisbon", sourceMessageId: 1, validFrom: Start));
        Assert.Empty(await Stores.Knowledge.GetCurrentAsync(Alice, "city"));
        Assert.DoesNotContain(await Stores.Knowledge.GetHistoryAsync(Alice, "city"), e => e.Value == "Lisbon");

        Clock.Advance(TimeSpan.FromDays(1));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Madrid", sourceMessageId: 50, validFrom: Clock.GetUtcNow()));
        Assert.Equal("Madrid", Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice, "city")).Value);
    }

    [Fact]
    public async Task Reads_OtherOwners_SeeNothingOfAlicesFacts()
    {
        var pin = await Stores.Knowledge.UpsertAsync(Fact(Alice, "bank_pin", "4321"));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Lisbon"));

        foreach (var intruder in Intruders)
        {
            Assert.Empty(await Stores.Knowledge.GetCurrentAsync(intruder));
            Assert.Empty(await Stores.Knowledge.GetCurrentAsync(intruder, "bank_pin"));
            Assert.Empty(await Stores.Knowledge.GetHistoryAsync(intruder, "bank_pin"));
            Assert.Null(await Stores.Knowledge.GetAsync(intruder, pin.Id));
        }
    }

    [Fact]
    public async Task Writes_OtherOwners_NeverSupersedeForgetOrDeleteAlicesFacts()
    {
        var pin = await Stores.Knowledge.UpsertAsync(Fact(Alice, "bank_pin", "4321", sessionId: "conv-1"));
        Clock.Advance(TimeSpan.FromDays(1));

        foreach (var intruder in Intruders)
        {
            await Stores.Knowledge.UpsertAsync(Fact(intruder, "bank_pin", "0000", sessionId: "conv-1"));
            Assert.False(await Stores.Knowledge.ForgetAsync(intruder, pin.Id));
            Assert.Equal(0, await Stores.Knowledge.DeleteBySessionAsync(intruder, "other-session"));
        }

        var current = Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice, "bank_pin"));
        Assert.Equal(pin.Id, current.Id);
        Assert.Equal("4321", current.Value);
        Assert.Single(await Stores.Knowledge.GetHistoryAsync(Alice, "bank_pin"));

        foreach (var intruder in Intruders)
        {
            Assert.Equal(1, await Stores.Knowledge.DeleteBySessionAsync(intruder, "conv-1"));
            Assert.Equal(0, await Stores.Knowledge.DeleteOwnerAsync(intruder));
        }

        Assert.Equal("4321", (await Stores.Knowledge.GetAsync(Alice, pin.Id))!.Value);
    }

    [Fact]
    public async Task DeleteBySessionAsync_SessionThatTaughtTheCurrentFact_RemovesItAndTheOlderFactIsCurrentAgain()
    {
        var paris = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris", sessionId: "old"));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "name", "Alice", sessionId: "old"));
        Clock.Advance(TimeSpan.FromDays(1));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Berlin", sessionId: "deleted"));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "pet", "cat", sessionId: "deleted"));

        Assert.Equal(2, await Stores.Knowledge.DeleteBySessionAsync(Alice, "deleted"));

        var current = await Stores.Knowledge.GetCurrentAsync(Alice);
        Assert.Equal(["city=Paris", "name=Alice"], current.Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal));
        Assert.Equal([paris.Id], (await Stores.Knowledge.GetHistoryAsync(Alice, "city")).Select(e => e.Id));
        Assert.Empty(await Stores.Knowledge.GetHistoryAsync(Alice, "pet"));
        Assert.Equal(0, await Stores.Knowledge.DeleteBySessionAsync(Alice, "deleted"));
    }

    [Fact]
    public async Task DeleteOwnerAsync_OwnerWithFacts_CountsCurrentHistoryAndForgottenAndLeavesOthers()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris"));
        Clock.Advance(TimeSpan.FromDays(1));
        var berlin = await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Berlin"));
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "name", "Alice"));
        await Stores.Knowledge.ForgetAsync(Alice, berlin.Id);
        await Stores.Knowledge.UpsertAsync(Fact(Bob, "city", "Oslo"));

        Assert.Equal(3, await Stores.Knowledge.DeleteOwnerAsync(Alice));

        Assert.Empty(await Stores.Knowledge.GetCurrentAsync(Alice));
        Assert.Empty(await Stores.Knowledge.GetHistoryAsync(Alice, "city"));
        Assert.Equal("Oslo", Assert.Single(await Stores.Knowledge.GetCurrentAsync(Bob)).Value);
        Assert.Equal(0, await Stores.Knowledge.DeleteOwnerAsync(Alice));
    }

    [Fact]
    public async Task UpsertAndForgetAsync_Changes_WriteAKnowledgeOutboxEntry()
    {
        var fact = await Stores.Knowledge.UpsertAsync(Fact(Alice, "City", "Paris", sessionId: "conv-1"));
        var recorded = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
        await Stores.Outbox.CompleteAsync([recorded.Id]);

        await Stores.Knowledge.ForgetAsync(Alice, fact.Id);
        var forgotten = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));

        Assert.Equal(IndexItemKind.Knowledge, recorded.Kind);
        Assert.Equal("city", recorded.SourceId);
        Assert.Equal(Alice, recorded.Owner);
        Assert.Equal(IndexItemKind.Knowledge, forgotten.Kind);
        Assert.Equal("city", forgotten.SourceId);
        Assert.Equal(Alice, forgotten.Owner);
    }

    [Fact]
    public async Task UpsertAsync_SameValueAgain_WritesNoOutboxEntry()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris"));
        await Stores.Outbox.CompleteAsync((await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1))).Select(e => e.Id).ToList());

        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "paris"));

        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task UpsertAsync_BadEntry_ThrowsArgumentExceptionNamingTheFieldAndWritesNothing()
    {
        await AssertThrowsArgumentAsync("entry", () => Stores.Knowledge.UpsertAsync(null!));
        await AssertThrowsArgumentAsync("entry.Owner", () => Stores.Knowledge.UpsertAsync(Fact(default, "city", "Paris")));
        foreach (var blank in new[] { null, string.Empty, " ", "\t\n" })
        {
            await AssertThrowsArgumentAsync("entry.Key", () => Stores.Knowledge.UpsertAsync(Fact(Alice, blank!, "Paris")));
            await AssertThrowsArgumentAsync("entry.Value", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", blank!)));
        }

        await AssertThrowsArgumentAsync("entry.Key", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "!!! ---", "Paris")));
        await AssertThrowsArgumentAsync("entry.Value", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", LoneSurrogateText)));
        await AssertThrowsArgumentAsync("entry.Value", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", LongTextWithNul)));
        await AssertThrowsArgumentAsync("entry.SessionId", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris", sessionId: " ")));
        await AssertThrowsArgumentAsync("entry.Confidence", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris", confidence: 1.5)));
        await AssertThrowsArgumentAsync("entry.Confidence", () => Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris", confidence: double.NaN)));

        Assert.Empty(await Stores.Knowledge.GetCurrentAsync(Alice));
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task ReadsAndDeletes_BadArguments_ThrowArgumentExceptionNamingThem()
    {
        await Stores.Knowledge.UpsertAsync(Fact(Alice, "city", "Paris", sessionId: "conv-1"));

        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.GetCurrentAsync(default));
        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.GetHistoryAsync(default, "city"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.GetAsync(default, 1));
        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.ForgetAsync(default, 1));
        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.DeleteBySessionAsync(default, "conv-1"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Knowledge.DeleteOwnerAsync(default));
        foreach (var blank in new[] { null, string.Empty, " " })
        {
            await AssertThrowsArgumentAsync("key", () => Stores.Knowledge.GetHistoryAsync(Alice, blank!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Knowledge.DeleteBySessionAsync(Alice, blank!));
        }

        await AssertThrowsArgumentAsync("key", () => Stores.Knowledge.GetCurrentAsync(Alice, " "));

        Assert.Equal("Paris", Assert.Single(await Stores.Knowledge.GetCurrentAsync(Alice)).Value);
    }

    /// <summary>A fact to record.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="sessionId">The session it was learned in.</param>
    /// <param name="sourceMessageId">The message it came from.</param>
    /// <param name="validFrom">When it became valid; the store's clock when <see langword="null"/>.</param>
    /// <param name="confidence">The confidence.</param>
    /// <returns>The entry.</returns>
    protected static KnowledgeEntry Fact(MemoryOwner owner, string key, string value, string? sessionId = null, long? sourceMessageId = null, DateTimeOffset? validFrom = null, double confidence = 0.9)
        => new()
        {
            Owner = owner,
            Key = key,
            Value = value,
            SessionId = sessionId,
            SourceMessageId = sourceMessageId,
            ValidFrom = validFrom ?? default,
            Confidence = confidence,
        };
}
