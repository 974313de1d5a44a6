using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Storage;

public sealed class SqliteSessionStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly ManualClock _clock = new();
    private OwnerTrackingSessionStore _store;

    public SqliteSessionStoreTests() => _store = new OwnerTrackingSessionStore(new SqliteSessionStore(_temp.Database, _clock));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task GetSessionsAsync_MixedIds_ReturnsActiveOnesUnlessAskedForDeleted()
    {
        var a = await _store.CreateSessionAsync("alice");
        var b = await _store.CreateSessionAsync("alice");
        await _store.SetSessionActiveAsync(b.Id, false);

        var active = await _store.GetSessionsAsync([a.Id, b.Id, "missing"]);
        var all = await _store.GetSessionsAsync([a.Id, b.Id, "missing"], includeDeleted: true);

        Assert.Equal([a.Id], active.Select(s => s.Id));
        Assert.Equal(new[] { a.Id, b.Id }.Order(StringComparer.Ordinal), all.Select(s => s.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetMessagesWithNeighborsAsync_InterleavedSessions_ReturnsOnlyEachSessionsNeighbours()
    {
        var a = await _store.CreateSessionAsync("alice");
        var b = await _store.CreateSessionAsync("alice");
        var stored = new List<StoredMessage>();
        for (var i = 0; i < 6; i++)
        {
            stored.AddRange(await _store.AppendMessagesAsync(a.Id, [new NewMessage { Role = ChatRole.User, Content = $"a{i}" }]));
            stored.AddRange(await _store.AppendMessagesAsync(b.Id, [new NewMessage { Role = ChatRole.User, Content = $"b{i}" }]));
        }

        var a3 = stored.Single(m => m.Content == "a3");
        var b0 = stored.Single(m => m.Content == "b0");
        var result = await _store.GetMessagesWithNeighborsAsync(MemoryOwner.User("alice"), [a3.Id, b0.Id, 999_999], before: 1, after: 2);

        Assert.Equal(["a2", "a3", "a4", "a5"], result.Where(m => m.SessionId == a.Id).Select(m => m.Content));
        Assert.Equal(["b0", "b1", "b2"], result.Where(m => m.SessionId == b.Id).Select(m => m.Content));
        Assert.Equal(result.Select(m => m.Id).Order(), result.Select(m => m.Id));
    }

    [Fact]
    public async Task CreateSessionAsync_WithTitleAndMetadata_IsReadBack()
    {
        var created = await _store.CreateSessionAsync("alice", "Trip planning", new Dictionary<string, string> { ["app"] = "web" });

        var read = await _store.GetSessionAsync(created.Id);

        Assert.NotNull(read);
        Assert.Equal("alice", read.UserId);
        Assert.Equal("Trip planning", read.Title);
        Assert.Equal(_clock.GetUtcNow(), read.CreatedAt);
        Assert.True(read.IsActive);
        Assert.Equal(0, read.MessageCount);
        Assert.Equal("web", read.Metadata!["app"]);
    }

    [Fact]
    public async Task CreateSessionAsync_ExplicitIdTakenByTheSameOwner_ThrowsSessionAlreadyExists()
    {
        await _store.CreateSessionAsync("alice", sessionId: "conv-1");

        var error = await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => _store.Inner.CreateSessionAsync(MemoryOwner.User("alice"), "conv-1"));

        Assert.Contains("conv-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_SameIdUnderAnotherOwner_IsAnotherSession()
    {
        // Before owner-scoped ids, the first user to claim "conv-1" locked every other user out of that id.
        var alice = await _store.Inner.CreateSessionAsync(MemoryOwner.User("alice"), "conv-1", "Alice's");
        var bob = await _store.Inner.CreateSessionAsync(MemoryOwner.User("bob"), "conv-1", "Bob's");
        await _store.Inner.AppendMessagesAsync(alice.Owner, "conv-1", [Msg(ChatRole.User, "alice secret")]);
        await _store.Inner.AppendMessagesAsync(bob.Owner, "conv-1", [Msg(ChatRole.User, "bob note")]);

        Assert.Equal("Alice's", (await _store.Inner.GetSessionAsync(MemoryOwner.User("alice"), "conv-1"))!.Title);
        Assert.Equal("Bob's", (await _store.Inner.GetSessionAsync(MemoryOwner.User("bob"), "conv-1"))!.Title);
        Assert.Equal(["alice secret"], (await _store.Inner.GetMessagesAsync(MemoryOwner.User("alice"), "conv-1")).Select(m => m.Content));
        Assert.Equal(["bob note"], (await _store.Inner.GetMessagesAsync(MemoryOwner.User("bob"), "conv-1")).Select(m => m.Content));
        Assert.Null(await _store.Inner.GetSessionAsync(MemoryOwner.AnonymousSession("conv-1"), "conv-1"));
    }

    [Fact]
    public async Task CreateSessionAsync_ExplicitIdOfSoftDeletedSession_StillThrows()
    {
        await _store.CreateSessionAsync("alice", sessionId: "conv-1");
        await _store.SetSessionActiveAsync("conv-1", false);

        await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => _store.Inner.CreateSessionAsync(MemoryOwner.User("alice"), "conv-1"));
    }

    [Fact]
    public async Task AppendMessagesAsync_NoTitle_DerivesTitleFromFirstUserMessage()
    {
        var session = await _store.CreateSessionAsync("alice");
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.System, "You are helpful."), Msg(ChatRole.User, "\n  Plan a trip to Lisbon  \nin May")]);
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "Something else")]);

        Assert.Equal("Plan a trip to Lisbon", (await _store.GetSessionAsync(session.Id))!.Title);
    }

    [Fact]
    public async Task AppendMessagesAsync_ExplicitTitle_IsKept()
    {
        var session = await _store.CreateSessionAsync("alice", "Mine");
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "Plan a trip")]);

        Assert.Equal("Mine", (await _store.GetSessionAsync(session.Id))!.Title);
    }

    [Fact]
    public void DeriveTitle_LongLine_CutsAtWordWithEllipsis()
    {
        var title = SqliteSessionStore.DeriveTitle(
            "Could you please help me understand how the quarterly revenue figures were calculated for the report?");

        Assert.True(title.Length <= SqliteSessionStore.DerivedTitleMaxLength, title);
        Assert.EndsWith("\u2026", title);
        Assert.StartsWith("Could you please help me understand how the quarterly", title);
        Assert.DoesNotContain(" \u2026", title);
    }

    [Fact]
    public void DeriveTitle_LongWordWithEmojiAtCut_DoesNotSplitSurrogatePair()
    {
        var title = SqliteSessionStore.DeriveTitle(new string('a', 58) + "\U0001F600" + new string('b', 10));

        Assert.False(char.IsHighSurrogate(title[^2]), "a high surrogate was left without its pair");
        Assert.EndsWith("\u2026", title);
    }

    [Fact]
    public async Task AppendMessagesAsync_UpdatesCountersAndUpdatedAt()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        _clock.Advance(TimeSpan.FromMinutes(5));

        var stored = await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "hi", 3), Msg(ChatRole.Assistant, "hello", 7)]);

        var read = (await _store.GetSessionAsync(session.Id))!;
        Assert.Equal(2, read.MessageCount);
        Assert.Equal(10, read.TokensUsed);
        Assert.Equal(_clock.GetUtcNow(), read.UpdatedAt);
        Assert.True(stored[0].Id < stored[1].Id);
        Assert.All(stored, m => Assert.Equal(IndexState.Pending, m.IndexState));
        Assert.All(stored, m => Assert.Equal(_clock.GetUtcNow(), m.CreatedAt));
    }

    [Fact]
    public async Task AppendMessagesAsync_RoundTripsEveryField()
    {
        var session = await _store.CreateSessionAsync(null, "t");
        var at = new DateTimeOffset(2024, 6, 1, 8, 30, 0, 123, TimeSpan.FromHours(2));
        var message = new NewMessage
        {
            Role = ChatRole.Tool,
            Content = string.Empty,
            ContentsJson = """[{"$type":"functionResult","callId":"c1","result":"42"}]""",
            MessageType = StoredMessageType.Tool,
            ResponseId = "resp-9",
            CreatedAt = at,
            TokenCount = 12,
            Metadata = new Dictionary<string, string> { ["k"] = "v" },
        };

        var stored = await _store.AppendMessagesAsync(session.Id, [message]);
        var read = Assert.Single(await _store.GetMessagesAsync(session.Id));

        Assert.Equal(stored[0].Id, read.Id);
        Assert.Equal(ChatRole.Tool, read.Role);
        Assert.Equal(string.Empty, read.Content);
        Assert.Equal(message.ContentsJson, read.ContentsJson);
        Assert.Equal(StoredMessageType.Tool, read.MessageType);
        Assert.Equal("resp-9", read.ResponseId);
        Assert.Equal(at, read.CreatedAt);
        Assert.Equal(12, read.TokenCount);
        Assert.Equal("v", read.Metadata!["k"]);
        Assert.False(read.IsTrimmed);
        Assert.Equal(IndexState.Pending, read.IndexState);
    }

    [Fact]
    public async Task AppendMessagesAsync_UnknownSession_ThrowsSessionNotFound()
    {
        var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.AppendMessagesAsync("nope", [Msg(ChatRole.User, "hi")]));
        Assert.Equal("nope", error.SessionId);
    }

    [Fact]
    public async Task AppendMessagesAsync_SoftDeletedSession_ThrowsInvalidOperationAndStoresNothing()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        await _store.SetSessionActiveAsync(session.Id, false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "hi")]));

        Assert.Contains("SetSessionActiveAsync", error.Message);
        Assert.Empty(await _store.GetMessagesAsync(session.Id));
    }

    [Fact]
    public async Task AppendMessagesAsync_EmptyBatch_ReturnsEmptyAndChangesNothing()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(await _store.AppendMessagesAsync(session.Id, []));
        Assert.Equal(session.UpdatedAt, (await _store.GetSessionAsync(session.Id))!.UpdatedAt);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.AppendMessagesAsync("nope", []));
    }

    [Fact]
    public async Task AppendMessagesAsync_ConcurrentWriters_KeepCountersExact()
    {
        const int Writers = 4;
        const int PerWriter = 25;
        var session = await _store.CreateSessionAsync("alice", "t");

        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, $"w{w} m{i}", 2)]);
            }
        }));
        await Task.WhenAll(tasks);

        var read = (await _store.GetSessionAsync(session.Id))!;
        var messages = await _store.GetMessagesAsync(session.Id);
        Assert.Equal(Writers * PerWriter, read.MessageCount);
        Assert.Equal(Writers * PerWriter * 2, read.TokensUsed);
        Assert.Equal(Writers * PerWriter, messages.Select(m => m.Content).Distinct().Count());
        for (var w = 0; w < Writers; w++)
        {
            // Each writer's messages keep its own order.
            var mine = messages.Where(m => m.Content.StartsWith($"w{w} ", StringComparison.Ordinal)).Select(m => m.Content).ToList();
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"w{w} m{i}"), mine);
        }
    }

    [Fact]
    public async Task Reopen_KeepsSessionsMessagesAndCounters()
    {
        var session = await _store.CreateSessionAsync("alice");
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "remember me", 4)]);

        _store = _store.Over(new SqliteSessionStore(_temp.Reopen(), _clock));

        var read = (await _store.GetSessionAsync(session.Id))!;
        Assert.Equal(1, read.MessageCount);
        Assert.Equal(4, read.TokensUsed);
        Assert.Equal("remember me", read.Title);
        Assert.Equal("remember me", Assert.Single(await _store.GetMessagesAsync(session.Id)).Content);
    }

    [Fact]
    public async Task ListSessionsAsync_MostRecentlyUpdatedFirstAndPaged()
    {
        var a = await _store.CreateSessionAsync("alice", "a");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var b = await _store.CreateSessionAsync("alice", "b");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var c = await _store.CreateSessionAsync("alice", "c");
        _clock.Advance(TimeSpan.FromSeconds(1));
        await _store.AppendMessagesAsync(a.Id, [Msg(ChatRole.User, "bump")]);
        await _store.CreateSessionAsync("bob", "not alice's");
        await _store.CreateSessionAsync(null, "anonymous");

        var all = await _store.ListSessionsAsync("alice");
        var page2 = await _store.ListSessionsAsync("alice", skip: 1, take: 1);

        Assert.Equal([a.Id, c.Id, b.Id], all.Select(s => s.Id));
        Assert.Equal(c.Id, Assert.Single(page2).Id);
        Assert.Empty(await _store.Inner.ListSessionsAsync(MemoryOwner.User("nobody")));
        Assert.Empty(await _store.ListSessionsAsync("alice", take: 0));
    }

    [Fact]
    public async Task SetSessionActiveAsync_SoftDeleteHidesAndRestoreShows()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "hi")]);

        await _store.SetSessionActiveAsync(session.Id, false);

        Assert.Null(await _store.GetSessionAsync(session.Id));
        Assert.False((await _store.GetSessionAsync(session.Id, includeDeleted: true))!.IsActive);
        Assert.Empty(await _store.ListSessionsAsync("alice"));
        Assert.Single(await _store.GetMessagesAsync(session.Id));

        await _store.SetSessionActiveAsync(session.Id, true);

        Assert.NotNull(await _store.GetSessionAsync(session.Id));
        Assert.Single(await _store.ListSessionsAsync("alice"));
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "back")]);
    }

    [Fact]
    public async Task RenameSessionAsync_ChangesTitleAndUnknownThrows()
    {
        var session = await _store.CreateSessionAsync("alice", "old");

        await _store.RenameSessionAsync(session.Id, "new");

        Assert.Equal("new", (await _store.GetSessionAsync(session.Id))!.Title);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.RenameSessionAsync("nope", "x"));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.SetSessionActiveAsync("nope", false));
    }

    [Fact]
    public async Task PurgeSessionAsync_RemovesSessionMessagesAndSummariesOnly()
    {
        var doomed = await _store.CreateSessionAsync("alice", "doomed");
        var kept = await _store.CreateSessionAsync("alice", "kept");
        var messages = await _store.AppendMessagesAsync(doomed.Id, [Msg(ChatRole.User, "a"), Msg(ChatRole.Assistant, "b")]);
        await _store.AppendMessagesAsync(kept.Id, [Msg(ChatRole.User, "c")]);
        await _store.AddSummaryAsync(Summary(doomed.Id, messages[0].Id, messages[1].Id), [messages[0].Id], []);

        await _store.PurgeSessionAsync(doomed.Id);

        Assert.Null(await _store.GetSessionAsync(doomed.Id, includeDeleted: true));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.GetMessagesAsync(doomed.Id));
        Assert.Single(await _store.GetMessagesAsync(kept.Id));
        Assert.Equal(1, (await _store.GetIndexStatusAsync()).Pending);
        await using var connection = await _temp.Database.OpenConnectionAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM messages WHERE session_id = $s) + (SELECT count(*) FROM summaries WHERE session_id = $s);";
        command.Parameters.AddWithValue("$s", doomed.Id);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.PurgeSessionAsync(doomed.Id));
    }

    [Fact]
    public async Task GetMessagesAsync_PagingFiltersAndNewest()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        var stored = await _store.AppendMessagesAsync(session.Id, Enumerable.Range(1, 10).Select(i => Msg(ChatRole.User, $"m{i}")).ToList());
        await _store.SetTrimmedAsync(session.Id, [stored[0].Id, stored[1].Id], trimmed: true);

        static IEnumerable<string> Texts(IReadOnlyList<StoredMessage> list) => list.Select(m => m.Content);

        Assert.Equal(["m3", "m4"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { Skip = 2, Take = 2 })));
        Assert.Equal(["m3", "m4"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { IncludeTrimmed = false, Take = 2 })));
        Assert.Equal(["m6", "m7"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { AfterId = stored[4].Id, Take = 2 })));
        Assert.Equal(["m8", "m9", "m10"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { Newest = true, Take = 3 })));
        Assert.Equal(["m5", "m6", "m7"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { Newest = true, Take = 3, Skip = 3 })));
        Assert.Equal(["m3", "m4"], Texts(await _store.GetMessagesAsync(session.Id, new MessageQuery { Newest = true, Take = 5, Skip = 6, IncludeTrimmed = false })));
        Assert.Equal(10, (await _store.GetMessagesAsync(session.Id)).Count);
        Assert.True((await _store.GetMessagesAsync(session.Id))[0].IsTrimmed);
    }

    [Fact]
    public async Task GetMessagesByIdAsync_IgnoresOtherSessionsAndSortsById()
    {
        var mine = await _store.CreateSessionAsync("alice", "t");
        var other = await _store.CreateSessionAsync("bob", "t");
        var a = await _store.AppendMessagesAsync(mine.Id, [Msg(ChatRole.User, "a1"), Msg(ChatRole.User, "a2")]);
        var b = await _store.AppendMessagesAsync(other.Id, [Msg(ChatRole.User, "b1")]);

        var found = await _store.GetMessagesByIdAsync(mine.Id, [a[1].Id, b[0].Id, a[0].Id, 9999]);

        Assert.Equal(["a1", "a2"], found.Select(m => m.Content));
        Assert.Empty(await _store.GetMessagesByIdAsync(mine.Id, []));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.GetMessagesByIdAsync("nope", [a[0].Id]));
    }

    [Fact]
    public async Task SetTrimmedAsync_ReturnsChangedCountAndIgnoresOtherSessions()
    {
        var mine = await _store.CreateSessionAsync("alice", "t");
        var other = await _store.CreateSessionAsync("bob", "t");
        var a = await _store.AppendMessagesAsync(mine.Id, [Msg(ChatRole.User, "a1"), Msg(ChatRole.User, "a2")]);
        var b = await _store.AppendMessagesAsync(other.Id, [Msg(ChatRole.User, "b1")]);

        Assert.Equal(1, await _store.SetTrimmedAsync(mine.Id, [a[0].Id, b[0].Id], true));
        Assert.Equal(0, await _store.SetTrimmedAsync(mine.Id, [a[0].Id], true));
        Assert.False(Assert.Single(await _store.GetMessagesAsync(other.Id)).IsTrimmed);
        Assert.Equal(1, await _store.SetTrimmedAsync(mine.Id, [a[0].Id], false));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.SetTrimmedAsync("nope", [a[0].Id], true));
    }

    [Fact]
    public async Task Outbox_ClaimCompleteFailAndDead_CountsAndMirrorsMessageState()
    {
        var s1 = await _store.CreateSessionAsync("alice", "t");
        var s2 = await _store.CreateSessionAsync("bob", "t");
        var m = await _store.AppendMessagesAsync(s1.Id, [Msg(ChatRole.User, "1"), Msg(ChatRole.User, "2"), Msg(ChatRole.User, "3")]);
        var n = await _store.AppendMessagesAsync(s2.Id, [Msg(ChatRole.User, "4")]);
        var now = _clock.GetUtcNow();

        var first = await _store.ClaimAsync(2, now);
        Assert.Equal([m[0].Id.ToString(CultureInfo.InvariantCulture), m[1].Id.ToString(CultureInfo.InvariantCulture)], first.Select(e => e.SourceId));
        Assert.All(first, e => Assert.Equal(IndexItemKind.Message, e.Kind));
        Assert.Equal(MemoryOwner.User("alice"), first[0].Owner);
        Assert.Equal(s1.Id, first[0].SessionId);

        // Claimed entries are leased: a second claimer skips them.
        var second = await _store.ClaimAsync(10, now);
        Assert.Equal([m[2].Id.ToString(CultureInfo.InvariantCulture), n[0].Id.ToString(CultureInfo.InvariantCulture)], second.Select(e => e.SourceId));
        Assert.Empty(await _store.ClaimAsync(10, now));

        await _store.CompleteAsync([first[0].Id]);
        await _store.FailAsync([first[1].Id], "embedder down", now.AddMinutes(1), maxAttempts: 3);
        await _store.FailAsync([first[1].Id], "embedder still down", now.AddMinutes(5), maxAttempts: 3);

        Assert.Equal(new IndexStatus(2, 1, 1, 0, "embedder still down"), await _store.GetIndexStatusAsync());
        Assert.Equal(new IndexStatus(1, 1, 1, 0, "embedder still down"), await _store.GetIndexStatusAsync(s1.Id));
        Assert.Equal(new IndexStatus(1, 0, 0, 0, null), await _store.GetIndexStatusAsync(s2.Id));
        var failed = (await _store.GetMessagesByIdAsync(s1.Id, [m[1].Id]))[0];
        Assert.Equal(IndexState.Failed, failed.IndexState);
        Assert.Equal(2, failed.IndexAttempts);
        Assert.Equal("embedder still down", failed.IndexError);

        // Not due before its retry time (and the other leases still run); due after it.
        Assert.Empty(await _store.ClaimAsync(10, now.AddMinutes(1)));
        var retried = Assert.Single(await _store.ClaimAsync(10, now.AddMinutes(5)));
        Assert.Equal(2, retried.Attempts);
        await _store.FailAsync([retried.Id], "still down", now.AddMinutes(6), maxAttempts: 3);

        // Dead at the maximum: counted, never claimed again.
        Assert.DoesNotContain(await _store.ClaimAsync(10, now.AddDays(1)), e => e.Id == retried.Id);
        Assert.Equal(1, (await _store.GetIndexStatusAsync(s1.Id)).Dead);
        Assert.Equal(IndexState.Dead, (await _store.GetMessagesByIdAsync(s1.Id, [m[1].Id]))[0].IndexState);

        await _store.CompleteAsync([.. second.Select(e => e.Id), 424242]);
        Assert.Equal(new IndexStatus(0, 3, 0, 1, "still down"), await _store.GetIndexStatusAsync());
        await Assert.ThrowsAsync<SessionNotFoundException>(() => _store.GetIndexStatusAsync("nope"));
    }

    [Fact]
    public async Task Outbox_SurvivesRestart()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        var stored = await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "index me")]);

        _store = _store.Over(new SqliteSessionStore(_temp.Reopen(), _clock));

        Assert.Equal(stored[0].Id.ToString(CultureInfo.InvariantCulture), Assert.Single(await _store.ClaimAsync(10, _clock.GetUtcNow())).SourceId);
    }

    [Fact]
    public async Task Outbox_ExpiredLease_ClaimedAgain()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "index me")]);
        var now = _clock.GetUtcNow();

        var claimed = Assert.Single(await _store.ClaimAsync(10, now, TimeSpan.FromMinutes(2)));

        // The claimer died mid-batch: nobody else takes it while the lease runs, anyone may after it.
        Assert.Empty(await _store.ClaimAsync(10, now.AddMinutes(1)));
        Assert.Equal(claimed.Id, Assert.Single(await _store.ClaimAsync(10, now.AddMinutes(2))).Id);
    }

    [Fact]
    public async Task Summary_AddedWithItsOutboxEntry_InOneTransaction()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        var m = await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "1"), Msg(ChatRole.Assistant, "2")]);
        await _store.CompleteAsync([.. (await _store.ClaimAsync(10, _clock.GetUtcNow())).Select(e => e.Id)]);

        var summary = await _store.AddSummaryAsync(new ConversationSummary { SessionId = session.Id, Level = 1, FirstMessageId = m[0].Id, LastMessageId = m[1].Id, Content = "s" }, [m[0].Id, m[1].Id], []);

        var entry = Assert.Single(await _store.ClaimAsync(10, _clock.GetUtcNow()));
        Assert.Equal((IndexItemKind.Summary, summary.Id.ToString(CultureInfo.InvariantCulture), session.Id), (entry.Kind, entry.SourceId, entry.SessionId));
    }

    [Fact]
    public async Task AnyOperation_BrokenDatabase_ThrowsLongMemoryStoreExceptionWithProviderMessage()
    {
        await _store.CreateSessionAsync("alice", "t");
        await using (var connection = await _temp.Database.OpenConnectionAsync())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE summaries;";
            await command.ExecuteNonQueryAsync();
        }

        var session = await _store.CreateSessionAsync("alice", "t2");
        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => _store.GetSummariesAsync(session.Id));

        Assert.Contains("no such table: summaries", error.Message);
        Assert.IsType<SqliteException>(error.InnerException);
    }

    [Fact]
    public async Task AnyOperation_Cancelled_ThrowsOperationCanceledUnwrapped()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.CreateSessionAsync("alice", "t", cancellationToken: cts.Token));
    }

    internal static NewMessage Msg(ChatRole role, string content, int tokens = 1) => new() { Role = role, Content = content, TokenCount = tokens };

    internal static ConversationSummary Summary(string sessionId, long first, long last, int level = 1, string content = "summary")
        => new() { SessionId = sessionId, Level = level, FirstMessageId = first, LastMessageId = last, Content = content, TokenCount = 5 };
}
