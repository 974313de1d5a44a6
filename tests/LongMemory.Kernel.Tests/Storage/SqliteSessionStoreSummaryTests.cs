using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Storage.SqliteSessionStoreTests;

namespace LongMemory.Kernel.Tests.Storage;

public sealed class SqliteSessionStoreSummaryTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly ManualClock _clock = new();
    private readonly OwnerTrackingSessionStore _store;

    public SqliteSessionStoreSummaryTests() => _store = new OwnerTrackingSessionStore(new SqliteSessionStore(_temp.Database, _clock));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddSummaryAsync_TrimsCoveredMessagesAndReturnsId()
    {
        var (session, m) = await SessionWithMessagesAsync(4);

        var summary = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[1].Id), [m[0].Id, m[1].Id], []);

        Assert.True(summary.Id > 0);
        Assert.Equal(_clock.GetUtcNow(), summary.CreatedAt);
        Assert.True(summary.IsActive);
        var live = await _store.GetMessagesAsync(session, new MessageQuery { IncludeTrimmed = false });
        Assert.Equal([m[2].Id, m[3].Id], live.Select(x => x.Id));
        var read = await _store.GetSummaryAsync(session, summary.Id);
        Assert.Equal("summary", read!.Content);
        Assert.Equal(m[0].Id, read.FirstMessageId);
        Assert.Equal(m[1].Id, read.LastMessageId);
        Assert.Equal(5, read.TokenCount);
    }

    [Fact]
    public async Task AddSummaryAsync_RollUp_SupersedesChildrenAndSetsParent()
    {
        var (session, m) = await SessionWithMessagesAsync(4);
        var first = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[1].Id), [m[0].Id, m[1].Id], []);
        var second = await _store.AddSummaryAsync(Summary(session, m[2].Id, m[3].Id), [m[2].Id, m[3].Id], []);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var top = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[3].Id, level: 2, content: "roll-up"), [], [first.Id, second.Id]);

        Assert.Equal(top.Id, Assert.Single(await _store.GetSummariesAsync(session)).Id);
        var all = await _store.GetSummariesAsync(session, activeOnly: false);
        Assert.Equal([first.Id, top.Id, second.Id], all.Select(s => s.Id));
        Assert.All(all.Where(s => s.Level == 1), s =>
        {
            Assert.Equal(top.Id, s.ParentId);
            Assert.Equal(_clock.GetUtcNow(), s.SupersededAt);
        });
    }

    [Fact]
    public async Task AddSummaryAsync_MessageOfAnotherSession_IsNotTrimmed()
    {
        var (session, m) = await SessionWithMessagesAsync(2);
        var (otherSession, other) = await SessionWithMessagesAsync(1);

        await _store.AddSummaryAsync(Summary(session, m[0].Id, m[1].Id), [m[0].Id, other[0].Id], []);

        Assert.False(Assert.Single(await _store.GetMessagesAsync(otherSession)).IsTrimmed);
        Assert.True((await _store.GetMessagesAsync(session))[0].IsTrimmed);
    }

    [Fact]
    public async Task AddSummaryAsync_UnknownCoveredSummary_ChangesNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(3);
        var child = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id), [m[0].Id], []);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.AddSummaryAsync(Summary(session, m[0].Id, m[2].Id, level: 2), [m[1].Id, m[2].Id], [child.Id, 987654]));

        Assert.Equal("coveredSummaryIds", error.ParamName);
        Assert.Contains("987654", error.Message);
        Assert.DoesNotContain(child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",", error.Message);
        var summaries = await _store.GetSummariesAsync(session, activeOnly: false);
        Assert.Equal(child.Id, Assert.Single(summaries).Id);
        Assert.True(summaries[0].IsActive);
        Assert.Null(summaries[0].ParentId);
        Assert.Equal([false, false], (await _store.GetMessagesByIdAsync(session, [m[1].Id, m[2].Id])).Select(x => x.IsTrimmed));
    }

    [Fact]
    public async Task AddSummaryAsync_CoveredSummaryOfAnotherSession_IsRejected()
    {
        var (session, m) = await SessionWithMessagesAsync(1);
        var (otherSession, o) = await SessionWithMessagesAsync(1);
        var foreign = await _store.AddSummaryAsync(Summary(otherSession, o[0].Id, o[0].Id), [], []);

        await Assert.ThrowsAsync<ArgumentException>(() => _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id, level: 2), [], [foreign.Id]));

        Assert.True(Assert.Single(await _store.GetSummariesAsync(otherSession)).IsActive);
        Assert.Empty(await _store.GetSummariesAsync(session));
    }

    [Fact]
    public async Task AddSummaryAsync_AlreadySupersededSummary_IsAStalePlanAndStoresNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(2);
        var child = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id), [], []);
        await _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id, level: 2), [], [child.Id]);

        // Another writer rolled the child up first: this plan is stale, nothing is stored and the caller plans again.
        Assert.Null(await _store.Inner.AddSummaryAsync(_store.OwnerOf(session), Summary(session, m[0].Id, m[1].Id, level: 2), [], [child.Id]));
        Assert.Single(await _store.GetSummariesAsync(session));
    }

    [Fact]
    public async Task AddSummaryAsync_UnknownOrSoftDeletedSession_Throws()
    {
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.AddSummaryAsync(Summary("nope", 1, 1), [], []));
        var (session, m) = await SessionWithMessagesAsync(1);
        await _store.SetSessionActiveAsync(session, false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id), [m[0].Id], []));
        Assert.False(Assert.Single(await _store.GetMessagesAsync(session)).IsTrimmed);
    }

    [Fact]
    public async Task AddSummaryAsync_BadSummary_ThrowsArgumentException()
    {
        var (session, _) = await SessionWithMessagesAsync(1);

        await Assert.ThrowsAsync<ArgumentNullException>("summary", () => _store.Inner.AddSummaryAsync(_store.OwnerOf(session), null!, [], []));
        await Assert.ThrowsAsync<ArgumentNullException>("trimmedMessageIds", () => _store.AddSummaryAsync(Summary(session, 1, 1), null!, []));
        await Assert.ThrowsAsync<ArgumentException>("summary.Content", () => _store.AddSummaryAsync(Summary(session, 1, 1, content: "  "), [], []));
        await Assert.ThrowsAsync<ArgumentException>("summary.SessionId", () => _store.AddSummaryAsync(Summary(" ", 1, 1), [], []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("summary.Level", () => _store.AddSummaryAsync(Summary(session, 1, 1, level: 0), [], []));
        await Assert.ThrowsAsync<ArgumentException>("summary", () => _store.AddSummaryAsync(Summary(session, 5, 1), [], []));
    }

    [Fact]
    public async Task GetSummaryAsync_OtherSessionOrUnknown_ReturnsNullOrThrows()
    {
        var (session, m) = await SessionWithMessagesAsync(1);
        var (otherSession, _) = await SessionWithMessagesAsync(1);
        var summary = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[0].Id), [], []);

        Assert.Null(await _store.GetSummaryAsync(otherSession, summary.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.GetSummaryAsync("nope", summary.Id));
    }

    [Fact]
    public async Task GetSummariesAsync_OrderedByFirstMessageThenLevel()
    {
        var (session, m) = await SessionWithMessagesAsync(4);
        var late = await _store.AddSummaryAsync(Summary(session, m[2].Id, m[3].Id), [], []);
        var early = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[1].Id), [], []);
        var top = await _store.AddSummaryAsync(Summary(session, m[0].Id, m[3].Id, level: 2), [], []);

        Assert.Equal([early.Id, top.Id, late.Id], (await _store.GetSummariesAsync(session)).Select(s => s.Id));
    }

    private async Task<(string SessionId, IReadOnlyList<StoredMessage> Messages)> SessionWithMessagesAsync(int count)
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        var messages = await _store.AppendMessagesAsync(session.Id, Enumerable.Range(1, count).Select(i => Msg(ChatRole.User, $"m{i}")).ToList());
        return (session.Id, messages);
    }
}
