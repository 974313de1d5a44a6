using System.Globalization;
using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IIndexOutbox"/> must have: claims with leases that keep concurrent indexers apart and
/// expire, failures retried at their time and dead after the maximum attempts, and counts per owner and session that
/// show another owner nothing.
/// </summary>
/// <remarks>
/// Entries are made the way an app makes them, by appending messages (and storing documents). Every time is passed in or
/// taken from <see cref="StoreConformanceTestBase.Clock"/>; the whole-store counts need the fresh outbox per test that the
/// base asks for. Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>A claimed entry still counts as pending; a completed one is gone, and a completed message counts as indexed.</item>
/// <item>A message's <see cref="StoredMessage.IndexState"/>, attempts and error mirror its entry.</item>
/// <item>A change made while its source's entry is in flight gets an entry of its own (the claim never swallows it).</item>
/// <item>The status of another owner's session (or a missing one) is <see cref="SessionNotFoundException"/>.</item>
/// </list>
/// </remarks>
public abstract class IndexOutboxConformanceTests : StoreConformanceTestBase
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ClaimAsync_PendingEntries_ReturnsOldestFirstUpToMaxCountAndSkipsLeasedOnes()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3", "m4");

        var first = await Stores.Outbox.ClaimAsync(3, Start, Lease);
        var second = await Stores.Outbox.ClaimAsync(3, Start, Lease);
        var third = await Stores.Outbox.ClaimAsync(3, Start, Lease);

        Assert.Equal(SourceIds(m.Take(3)), first.Select(e => e.SourceId));
        Assert.Equal(SourceIds(m.Skip(3)), second.Select(e => e.SourceId));
        Assert.Empty(third);
        Assert.True(first.Zip(first.Skip(1)).All(p => p.First.Id < p.Second.Id), "entries come oldest first");

        // In flight is still pending: nothing was indexed yet.
        var status = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.Equal(5, status.Pending);
        Assert.Equal(0, status.Indexed);
        Assert.False(status.IsClean);
    }

    [Fact]
    public async Task ClaimAsync_TwoConcurrentCallers_GetDisjointEntries()
    {
        var (_, m) = await SessionWithMessagesAsync(Alice, Enumerable.Range(0, 20).Select(i => "m" + i).ToArray());

        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Outbox.ClaimAsync(15, Start, Lease),
            () => Stores.Outbox.ClaimAsync(15, Start, Lease));

        Assert.Empty(first.Select(e => e.Id).Intersect(second.Select(e => e.Id)));
        Assert.Equal(SourceIds(m).Order(StringComparer.Ordinal), first.Concat(second).Select(e => e.SourceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClaimAsync_LeaseExpired_EntryIsClaimableAgain()
    {
        var (_, m) = await SessionWithMessagesAsync(Alice, "m0");
        var claimed = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));

        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start + Lease - TimeSpan.FromSeconds(1), Lease));

        // The first indexer died mid-batch: its entry is only delayed by the lease.
        var again = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start + Lease, Lease));
        Assert.Equal(claimed.Id, again.Id);
        Assert.Equal(SourceIds(m)[0], again.SourceId);
        Assert.Equal(0, again.Attempts);
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start + Lease, Lease));
    }

    [Fact]
    public async Task CompleteAsync_ClaimedEntries_RemovesThemAndCountsTheMessagesIndexed()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2");
        var claimed = await Stores.Outbox.ClaimAsync(2, Start, Lease);

        await Stores.Outbox.CompleteAsync(claimed.Select(e => e.Id).ToList());

        var status = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.Equal(1, status.Pending);
        Assert.Equal(2, status.Indexed);
        Assert.Equal([IndexState.Indexed, IndexState.Indexed, IndexState.Pending], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(x => x.IndexState));

        // Completed entries never come back, not even after their lease.
        var later = await Stores.Outbox.ClaimAsync(10, Start.AddDays(1), Lease);
        Assert.DoesNotContain(later, e => claimed.Any(c => c.Id == e.Id));
        Assert.Single(later);
    }

    [Fact]
    public async Task CompleteAsync_UnknownOrNoIds_AreIgnored()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0");
        var claimed = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));

        await Stores.Outbox.CompleteAsync([]);
        await Stores.Outbox.CompleteAsync([claimed.Id + 1000, -1]);
        await Stores.Outbox.CompleteAsync([claimed.Id, claimed.Id]);
        await Stores.Outbox.CompleteAsync([claimed.Id]);

        var status = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.True(status.IsClean);
        Assert.Equal(1, status.Indexed);
    }

    [Fact]
    public async Task FailAsync_RetryLater_EntryIsDueAtItsRetryTimeWithItsAttempts()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0");
        var claimed = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));

        await Stores.Outbox.FailAsync([claimed.Id], "HttpRequestException: embedder down", Start.AddMinutes(5), maxAttempts: 3);

        var status = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.Equal(new IndexStatus(0, 0, 1, 0, "HttpRequestException: embedder down"), status);
        var message = Assert.Single(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Equal(IndexState.Failed, message.IndexState);
        Assert.Equal(1, message.IndexAttempts);
        Assert.Equal("HttpRequestException: embedder down", message.IndexError);

        // The failure released the lease, but the retry time holds the entry back until it is due.
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start.AddMinutes(5) - TimeSpan.FromSeconds(1), Lease));
        var retried = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start.AddMinutes(5), Lease));
        Assert.Equal(claimed.Id, retried.Id);
        Assert.Equal(1, retried.Attempts);
    }

    [Fact]
    public async Task FailAsync_RetrySucceeds_EntryIsGoneAndTheMessageIndexed()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0");
        var claimed = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));
        await Stores.Outbox.FailAsync([claimed.Id], "boom", Start, maxAttempts: 3);

        var retried = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));
        await Stores.Outbox.CompleteAsync([retried.Id]);

        var status = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.True(status.IsClean);
        Assert.Equal(1, status.Indexed);
        Assert.Null(status.LastError);
        var message = Assert.Single(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Equal(IndexState.Indexed, message.IndexState);
        Assert.Null(message.IndexError);
    }

    [Fact]
    public async Task FailAsync_MaxAttemptsReached_EntryIsDeadVisibleAndNeverClaimedAgain()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "poison", "fine");
        var poison = (await Stores.Outbox.ClaimAsync(1, Start, Lease))[0];
        var at = Start;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Stores.Outbox.FailAsync([poison.Id], "attempt " + attempt, at.AddSeconds(1), maxAttempts: 3);
            at = at.AddSeconds(1);
            var next = await Stores.Outbox.ClaimAsync(10, at, Lease);
            if (attempt < 3)
            {
                Assert.Contains(next, e => e.Id == poison.Id && e.Attempts == attempt);
            }
            else
            {
                Assert.DoesNotContain(next, e => e.Id == poison.Id);
            }
        }

        Assert.DoesNotContain(await Stores.Outbox.ClaimAsync(10, Start.AddYears(1), Lease), e => e.Id == poison.Id);
        var sessionStatus = await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id);
        Assert.Equal(1, sessionStatus.Dead);
        Assert.Equal(0, sessionStatus.Failed);
        Assert.Equal(1, sessionStatus.Pending);
        Assert.Equal("attempt 3", sessionStatus.LastError);
        Assert.Equal(sessionStatus, await Stores.Outbox.GetIndexStatusAsync(Alice));
        var messages = await Stores.Messages.GetMessagesAsync(Alice, session.Id);
        Assert.Equal(IndexState.Dead, messages[0].IndexState);
        Assert.Equal(3, messages[0].IndexAttempts);
        Assert.Equal(IndexState.Pending, messages[1].IndexState);
    }

    [Fact]
    public async Task FailAsync_OneFailureOfABatch_LeavesTheOthersClaimedNotFailed()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2");
        var claimed = await Stores.Outbox.ClaimAsync(10, Start, Lease);

        await Stores.Outbox.FailAsync([claimed[1].Id], "only this one", Start.AddMinutes(1), maxAttempts: 5);
        await Stores.Outbox.CompleteAsync([claimed[0].Id, claimed[2].Id]);

        Assert.Equal(new IndexStatus(0, 2, 1, 0, "only this one"), await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id));
    }

    [Fact]
    public async Task ClaimAsync_ChangeWhileItsEntryIsInFlight_GetsAnEntryOfItsOwn()
    {
        var session = await CreateSessionAsync(Alice);
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "Title", "first text");
        var inFlight = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));

        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "Title", "second text");
        await Stores.Outbox.CompleteAsync([inFlight.Id]);

        // The indexer may have read the first text: the second change must still be indexed.
        var next = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));
        Assert.NotEqual(inFlight.Id, next.Id);
        Assert.Equal(IndexItemKind.Document, next.Kind);
        Assert.Equal("doc-1", next.SourceId);
    }

    [Fact]
    public async Task GetIndexStatusAsync_PerOwnerAndSession_CountsOnlyThose()
    {
        var (a, _) = await SessionWithMessagesAsync(Alice, "a0", "a1");
        var (b, _) = await SessionWithMessagesAsync(Alice, "b0");
        var (bobs, _) = await SessionWithMessagesAsync(Bob, "bob0", "bob1", "bob2");
        var claimed = await Stores.Outbox.ClaimAsync(10, Start, Lease);
        await Stores.Outbox.FailAsync([claimed[0].Id], "a0 failed", Start.AddYears(1), maxAttempts: 1);
        await Stores.Outbox.CompleteAsync([claimed[2].Id, claimed[3].Id]);

        Assert.Equal(new IndexStatus(1, 0, 0, 1, "a0 failed"), await Stores.Outbox.GetIndexStatusAsync(Alice, a.Id));
        Assert.Equal(new IndexStatus(0, 1, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(Alice, b.Id));
        Assert.Equal(new IndexStatus(1, 1, 0, 1, "a0 failed"), await Stores.Outbox.GetIndexStatusAsync(Alice));
        Assert.Equal(new IndexStatus(2, 1, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(Bob, bobs.Id));
        Assert.Equal(new IndexStatus(2, 1, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(Bob));
        Assert.Equal(new IndexStatus(0, 0, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(AnonymousLookalike));
        Assert.Equal(new IndexStatus(0, 0, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(UserLookalike));
        Assert.Equal(new IndexStatus(3, 2, 0, 1, "a0 failed"), await Stores.Outbox.GetIndexStatusAsync());
    }

    [Fact]
    public async Task GetIndexStatusAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFound()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0");
        var claimed = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));
        await Stores.Outbox.FailAsync([claimed.Id], "secret-bearing error", Start.AddYears(1), maxAttempts: 1);

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Outbox.GetIndexStatusAsync(intruder, session.Id));
            Assert.Null((await Stores.Outbox.GetIndexStatusAsync(intruder)).LastError);
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Outbox.GetIndexStatusAsync(Alice, "missing"));
    }

    [Fact]
    public async Task PurgeOwnerAsync_OwnersEntries_LeaveTheOutboxAndOthersStay()
    {
        await SessionWithMessagesAsync(Alice, "a0", "a1");
        var (bobs, bobMessages) = await SessionWithMessagesAsync(Bob, "b0");

        await Stores.Sessions.PurgeOwnerAsync(Alice);

        var left = await Stores.Outbox.ClaimAsync(10, Start, Lease);
        Assert.All(left, e => Assert.Equal(Bob, e.Owner));
        Assert.Contains(left, e => e.Kind == IndexItemKind.Message && e.SourceId == SourceIds(bobMessages)[0] && e.SessionId == bobs.Id);
        Assert.Equal(new IndexStatus(0, 0, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(Alice));
    }

    [Fact]
    public async Task OutboxArguments_OutOfRangeOrMissing_ThrowArgumentExceptionNamingThem()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "m0");

        await AssertThrowsArgumentAsync("maxCount", () => Stores.Outbox.ClaimAsync(0, Start, Lease));
        await AssertThrowsArgumentAsync("lease", () => Stores.Outbox.ClaimAsync(1, Start, TimeSpan.Zero));
        await AssertThrowsArgumentAsync("lease", () => Stores.Outbox.ClaimAsync(1, Start, TimeSpan.FromSeconds(-1)));
        await AssertThrowsArgumentAsync("entryIds", () => Stores.Outbox.CompleteAsync(null!));
        await AssertThrowsArgumentAsync("entryIds", () => Stores.Outbox.FailAsync(null!, "e", Start, 3));
        await AssertThrowsArgumentAsync("error", () => Stores.Outbox.FailAsync([1], null!, Start, 3));
        await AssertThrowsArgumentAsync("maxAttempts", () => Stores.Outbox.FailAsync([1], "e", Start, 0));
        await AssertThrowsArgumentAsync("owner", () => Stores.Outbox.GetIndexStatusAsync(null, session.Id));
        await AssertThrowsArgumentAsync("sessionId", () => Stores.Outbox.GetIndexStatusAsync(Alice, " "));
        await AssertThrowsArgumentAsync("sessionId", () => Stores.Outbox.GetIndexStatusAsync(Alice, string.Empty));

        // Nothing was claimed or failed by the refused calls.
        var entry = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, Lease));
        Assert.Equal(0, entry.Attempts);
    }

    private static List<string> SourceIds(IEnumerable<StoredMessage> messages) => messages.Select(m => m.Id.ToString(CultureInfo.InvariantCulture)).ToList();
}
