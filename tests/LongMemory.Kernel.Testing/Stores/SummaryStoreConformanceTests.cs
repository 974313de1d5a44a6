using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="ISummaryStore"/> must have: a summary, the trimming of what it covers and the roll-up of
/// the summaries below it happen together or not at all, a stale plan (another writer reduced first) stores nothing, and
/// no owner reads or changes another owner's summaries.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item><see cref="ISummaryStore.AddSummaryAsync"/> returns <see langword="null"/> and changes nothing when one of the
/// messages is already trimmed or one of the covered summaries already superseded; of two concurrent reductions over the
/// same messages exactly one is stored.</item>
/// <item>Message ids that are not in the summary's session are ignored (never trimmed); a covered id that is not an active
/// summary of the session (and was never superseded) is an <see cref="ArgumentException"/> naming
/// <c>coveredSummaryIds</c>, and nothing is stored.</item>
/// <item>Another owner's session, or a missing one, is <see cref="SessionNotFoundException"/>; a soft-deleted session is
/// read-only (<see cref="InvalidOperationException"/>).</item>
/// </list>
/// </remarks>
public abstract class SummaryStoreConformanceTests : StoreConformanceTestBase
{
    [Fact]
    public async Task AddSummaryAsync_LevelOne_StoresItAndTrimsTheCoveredMessages()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");

        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);

        Assert.NotNull(summary);
        Assert.True(summary.IsActive);
        Assert.Equal(Start, summary.CreatedAt);
        var read = await Stores.Summaries.GetSummaryAsync(Alice, session.Id, summary.Id);
        Assert.NotNull(read);
        Assert.Equal("summary of m0..m1", read.Content);
        Assert.Equal(session.Id, read.SessionId);
        Assert.Equal(1, read.Level);
        Assert.Equal(m[0].Id, read.FirstMessageId);
        Assert.Equal(m[1].Id, read.LastMessageId);
        Assert.Equal(7, read.TokenCount);
        Assert.Null(read.ParentId);
        Assert.Equal(["m2", "m3"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { IncludeTrimmed = false })).Select(x => x.Content));
    }

    [Fact]
    public async Task AddSummaryAsync_RollUp_SupersedesTheChildrenAndSetsTheirParent()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");
        var first = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);
        var second = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[2], m[3]), [m[2].Id, m[3].Id], []);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var top = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[3], level: 2), [], [first!.Id, second!.Id]);

        Assert.NotNull(top);
        Assert.Equal([top.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id)).Select(s => s.Id));
        var all = await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false);
        Assert.Equal([first.Id, top.Id, second.Id], all.Select(s => s.Id));
        Assert.All(all.Where(s => s.Level == 1), s =>
        {
            Assert.False(s.IsActive);
            Assert.Equal(top.Id, s.ParentId);
            Assert.Equal(Start.AddMinutes(1), s.SupersededAt);
        });
    }

    [Fact]
    public async Task AddSummaryAsync_MessageAlreadyTrimmed_ReturnsNullAndChangesNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2");
        var winner = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);

        // A second instance planned from the state before the first reduction: m1 is taken, m2 is not.
        var stale = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[1], m[2]), [m[1].Id, m[2].Id], []);

        Assert.Null(stale);
        Assert.Equal([winner!.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false)).Select(s => s.Id));
        Assert.Equal(["m2"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { IncludeTrimmed = false })).Select(x => x.Content));
    }

    [Fact]
    public async Task AddSummaryAsync_CoveredSummaryAlreadySuperseded_ReturnsNullAndChangesNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");
        var a = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);
        var b = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[2], m[3]), [m[2].Id, m[3].Id], []);
        var winner = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[3], level: 2), [], [a!.Id, b!.Id]);

        var stale = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[3], level: 2, content: "late roll-up"), [], [a.Id, b.Id]);

        Assert.Null(stale);
        var all = await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false);
        Assert.Equal(3, all.Count);
        Assert.DoesNotContain(all, s => s.Content == "late roll-up");
        Assert.All(all.Where(s => s.Level == 1), s => Assert.Equal(winner!.Id, s.ParentId));
    }

    [Fact]
    public async Task AddSummaryAsync_TwoConcurrentReductionsOfTheSameMessages_ExactlyOneIsStored()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");
        var ids = m.Take(3).Select(x => x.Id).ToList();

        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[2], content: "by instance A"), ids, []),
            () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[2], content: "by instance B"), ids, []));

        Assert.True(first is null != second is null, "exactly one of two concurrent reductions must be stored");
        var stored = Assert.Single(await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false));
        Assert.Equal((first ?? second)!.Id, stored.Id);
        Assert.Equal(["m3"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { IncludeTrimmed = false })).Select(x => x.Content));
    }

    [Fact]
    public async Task AddSummaryAsync_TwoConcurrentRollUpsOfTheSameSummaries_ExactlyOneIsStored()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");
        var a = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);
        var b = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[2], m[3]), [m[2].Id, m[3].Id], []);

        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[3], level: 2, content: "A"), [], [a!.Id, b!.Id]),
            () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[3], level: 2, content: "B"), [], [a!.Id, b!.Id]));

        Assert.True(first is null != second is null, "exactly one of two concurrent roll-ups must be stored");
        var winner = (first ?? second)!;
        Assert.Equal([winner.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id)).Select(s => s.Id));
        Assert.Equal(3, (await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false)).Count);
    }

    [Fact]
    public async Task AddSummaryAsync_MessageIdsOfAnotherSessionOrOwner_AreNotTrimmed()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1");
        var (otherSession, other) = await SessionWithMessagesAsync(Alice, "another session of hers");
        var (bobs, bobMessages) = await SessionWithMessagesAsync(Bob, "bob's");

        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id, other[0].Id, bobMessages[0].Id], []);

        Assert.NotNull(summary);
        Assert.False(Assert.Single(await Stores.Messages.GetMessagesAsync(Alice, otherSession.Id)).IsTrimmed);
        Assert.False(Assert.Single(await Stores.Messages.GetMessagesAsync(Bob, bobs.Id)).IsTrimmed);
    }

    [Fact]
    public async Task AddSummaryAsync_CoveredIdThatIsNoActiveSummaryOfTheSession_ThrowsArgumentExceptionAndStoresNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2");
        var (otherSession, o) = await SessionWithMessagesAsync(Alice, "o0");
        var mine = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), [m[0].Id], []);
        var ofOtherSession = await Stores.Summaries.AddSummaryAsync(Alice, Summary(otherSession.Id, o[0], o[0]), [o[0].Id], []);
        var (bobs, b) = await SessionWithMessagesAsync(Bob, "b0");
        var bobsSummary = await Stores.Summaries.AddSummaryAsync(Bob, Summary(bobs.Id, b[0], b[0]), [b[0].Id], []);

        foreach (var foreign in new[] { ofOtherSession!.Id, bobsSummary!.Id, 999_999_999 })
        {
            await AssertThrowsArgumentAsync("coveredSummaryIds", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[2], level: 2), [m[1].Id], [mine!.Id, foreign]));
        }

        Assert.Equal([mine!.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id)).Select(s => s.Id));
        Assert.Equal(["m1", "m2"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { IncludeTrimmed = false })).Select(x => x.Content));
        Assert.True((await Stores.Summaries.GetSummaryAsync(Bob, bobs.Id, bobsSummary.Id))!.IsActive);
        Assert.True((await Stores.Summaries.GetSummaryAsync(Alice, otherSession.Id, ofOtherSession.Id))!.IsActive);
    }

    [Fact]
    public async Task AddSummaryAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFoundAndTrimsNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1");

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.AddSummaryAsync(intruder, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.AddSummaryAsync(Alice, Summary("missing", m[0], m[1]), [m[0].Id], []));
        Assert.Empty(await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false));
        Assert.All(await Stores.Messages.GetMessagesAsync(Alice, session.Id), x => Assert.False(x.IsTrimmed));
    }

    [Fact]
    public async Task AddSummaryAsync_SoftDeletedSession_ThrowsInvalidOperationAndStoresNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1");
        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id], []));

        Assert.Empty(await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false));
        Assert.All(await Stores.Messages.GetMessagesAsync(Alice, session.Id), x => Assert.False(x.IsTrimmed));
    }

    [Fact]
    public async Task AddSummaryAsync_NewSummary_WritesAnOutboxEntry()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0");
        await Stores.Outbox.CompleteAsync((await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1))).Select(e => e.Id).ToList());

        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), [m[0].Id], []);

        var entry = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
        Assert.Equal(IndexItemKind.Summary, entry.Kind);
        Assert.Equal(summary!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.SourceId);
        Assert.Equal(Alice, entry.Owner);
        Assert.Equal(session.Id, entry.SessionId);
    }

    [Fact]
    public async Task AddSummaryAsync_BadSummary_ThrowsArgumentExceptionNamingTheFieldAndStoresNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1");
        var ids = new[] { m[0].Id };

        await AssertThrowsArgumentAsync("summary", () => Stores.Summaries.AddSummaryAsync(Alice, null!, ids, []));
        await AssertThrowsArgumentAsync("trimmedMessageIds", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), null!, []));
        await AssertThrowsArgumentAsync("coveredSummaryIds", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), ids, null!));
        await AssertThrowsArgumentAsync("owner", () => Stores.Summaries.AddSummaryAsync(default, Summary(session.Id, m[0], m[0]), ids, []));
        foreach (var blank in new[] { null, string.Empty, " " })
        {
            await AssertThrowsArgumentAsync("summary.SessionId", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(blank!, m[0], m[0]), ids, []));
            await AssertThrowsArgumentAsync("summary.Content", () => Stores.Summaries.AddSummaryAsync(Alice, new ConversationSummary { SessionId = session.Id, FirstMessageId = m[0].Id, LastMessageId = m[0].Id, Content = blank! }, ids, []));
        }

        await AssertThrowsArgumentAsync("summary.Content", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0], content: LoneSurrogateText), ids, []));
        await AssertThrowsArgumentAsync("summary.Level", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0], level: 0), ids, []));
        await AssertThrowsArgumentAsync("summary", () => Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[1], m[0]), ids, []));

        Assert.Empty(await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false));
        Assert.All(await Stores.Messages.GetMessagesAsync(Alice, session.Id), x => Assert.False(x.IsTrimmed));
    }

    [Fact]
    public async Task GetSummariesAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFound()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0");
        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0], content: "Alice's PIN is 4321"), [m[0].Id], []);

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.GetSummariesAsync(intruder, session.Id, activeOnly: false));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.GetSummaryAsync(intruder, session.Id, summary!.Id));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.GetSummariesAsync(Alice, "missing"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Summaries.GetSummaryAsync(Alice, "missing", summary!.Id));
    }

    [Fact]
    public async Task GetSummaryAsync_IdOfAnotherSessionOrOwner_ReturnsNull()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0");
        var (otherSession, _) = await SessionWithMessagesAsync(Alice, "o0");
        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), [m[0].Id], []);
        var bobs = await CreateSessionAsync(Bob, session.Id);

        Assert.Null(await Stores.Summaries.GetSummaryAsync(Alice, otherSession.Id, summary!.Id));
        Assert.Null(await Stores.Summaries.GetSummaryAsync(Bob, bobs.Id, summary.Id));
        Assert.Empty(await Stores.Summaries.GetSummariesAsync(Bob, bobs.Id, activeOnly: false));
        Assert.Null(await Stores.Summaries.GetSummaryAsync(Alice, session.Id, 999_999_999));
    }

    [Fact]
    public async Task GetSummariesAsync_SeveralSummaries_OldestCoveredFirst()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3");

        // Stored out of order: the later block first.
        var later = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[2], m[3]), [m[2].Id, m[3].Id], []);
        var earlier = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[1]), [m[0].Id, m[1].Id], []);

        Assert.Equal([earlier!.Id, later!.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id)).Select(s => s.Id));
    }

    [Fact]
    public async Task GetSummariesAsync_SoftDeletedSession_IsStillRead()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0");
        var summary = await Stores.Summaries.AddSummaryAsync(Alice, Summary(session.Id, m[0], m[0]), [m[0].Id], []);
        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);

        Assert.Equal([summary!.Id], (await Stores.Summaries.GetSummariesAsync(Alice, session.Id)).Select(s => s.Id));
        Assert.NotNull(await Stores.Summaries.GetSummaryAsync(Alice, session.Id, summary.Id));
    }

    [Fact]
    public async Task SummaryReads_BlankSessionIdOrDefaultOwner_ThrowArgumentExceptionNamingThem()
    {
        foreach (var bad in new[] { null, string.Empty, " " })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Summaries.GetSummariesAsync(Alice, bad!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Summaries.GetSummaryAsync(Alice, bad!, 1));
        }

        await AssertThrowsArgumentAsync("owner", () => Stores.Summaries.GetSummariesAsync(default, "s"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Summaries.GetSummaryAsync(default, "s", 1));
    }

    /// <summary>A summary of the messages from <paramref name="first"/> to <paramref name="last"/>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="first">The first covered message.</param>
    /// <param name="last">The last covered message.</param>
    /// <param name="level">The level.</param>
    /// <param name="content">The text; a default naming the range when <see langword="null"/>.</param>
    /// <returns>The summary to add.</returns>
    protected static ConversationSummary Summary(string sessionId, StoredMessage first, StoredMessage last, int level = 1, string? content = null)
        => new()
        {
            SessionId = sessionId,
            Level = level,
            FirstMessageId = first.Id,
            LastMessageId = last.Id,
            Content = content ?? $"summary of {first.Content}..{last.Content}",
            TokenCount = 7,
        };
}
