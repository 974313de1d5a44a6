using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> must have: the catalog of each owner's sessions, with ids unique per
/// owner, another owner's session answered like a missing one, soft delete and restore, and purges that leave nothing.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>Another owner's session is invisible: reads return <see langword="null"/> or nothing, changes throw
/// <see cref="SessionNotFoundException"/> exactly as for an id nobody has, and the victim's session does not change.</item>
/// <item>A soft-deleted session keeps its id taken (<see cref="SessionAlreadyExistsException"/>); a purged one frees it.</item>
/// <item>An anonymous session is its own owner: its id is the owner's id, any other id is an <see cref="ArgumentException"/>.</item>
/// <item>Bad input throws <see cref="ArgumentException"/> (or a subclass) naming the parameter and writes nothing; text with an
/// unpaired surrogate is bad input (a UTF-8 backend would change it silently).</item>
/// </list>
/// </remarks>
public abstract class SessionStoreConformanceTests : StoreConformanceTestBase
{
    private static readonly Dictionary<string, string> AppMetadata = new() { ["app"] = "web", ["locale"] = "pt-PT" };

    [Fact]
    public async Task CreateSessionAsync_WithTitleAndMetadata_IsReadBackAsCreated()
    {
        var created = await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "Trip planning", AppMetadata);

        var read = await Stores.Sessions.GetSessionAsync(Alice, "conv-1");

        Assert.NotNull(read);
        Assert.Equal("conv-1", created.Id);
        Assert.Equal("conv-1", read.Id);
        Assert.Equal(Alice, read.Owner);
        Assert.Equal(Alice.Id, read.UserId);
        Assert.Equal("Trip planning", read.Title);
        Assert.True(read.IsActive);
        Assert.Equal(0, read.MessageCount);
        Assert.Equal(0, read.TokensUsed);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(AppMetadata, read.Metadata);
    }

    [Fact]
    public async Task CreateSessionAsync_NoId_GivesEachSessionANewId()
    {
        var first = await Stores.Sessions.CreateSessionAsync(Alice);
        var second = await Stores.Sessions.CreateSessionAsync(Alice);

        Assert.False(string.IsNullOrWhiteSpace(first.Id));
        Assert.NotEqual(first.Id, second.Id);
        Assert.NotNull(await Stores.Sessions.GetSessionAsync(Alice, first.Id));
        Assert.NotNull(await Stores.Sessions.GetSessionAsync(Alice, second.Id));
    }

    [Fact]
    public async Task CreateSessionAsync_SameIdUnderTwoOwners_IsTwoSessions()
    {
        // Before ids were per owner, the first user to claim an id locked every other user out of it.
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "Alice's");
        await Stores.Sessions.CreateSessionAsync(Bob, "conv-1", "Bob's");
        await AppendAsync(Alice, "conv-1", "my bank PIN is 4321");
        await AppendAsync(Bob, "conv-1", "bob's note");

        Assert.Equal("Alice's", (await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.Title);
        Assert.Equal("Bob's", (await Stores.Sessions.GetSessionAsync(Bob, "conv-1"))!.Title);
        Assert.Equal(["my bank PIN is 4321"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
        Assert.Equal(["bob's note"], (await Stores.Messages.GetMessagesAsync(Bob, "conv-1")).Select(m => m.Content));
    }

    [Fact]
    public async Task CreateSessionAsync_UserAndAnonymousSessionWithTheSameSpelling_AreTwoSessions()
    {
        // The old owner key was UserId ?? "session:" + SessionId: these two owners collided.
        await Stores.Sessions.CreateSessionAsync(UserLookalike, AnonymousLookalike.Id, "user's");
        await Stores.Sessions.CreateSessionAsync(AnonymousLookalike, AnonymousLookalike.Id, "anonymous");

        Assert.Equal("user's", (await Stores.Sessions.GetSessionAsync(UserLookalike, AnonymousLookalike.Id))!.Title);
        Assert.Equal("anonymous", (await Stores.Sessions.GetSessionAsync(AnonymousLookalike, AnonymousLookalike.Id))!.Title);
        Assert.Equal(["user's"], (await Stores.Sessions.ListSessionsAsync(UserLookalike)).Select(s => s.Title));
        Assert.Equal(["anonymous"], (await Stores.Sessions.ListSessionsAsync(AnonymousLookalike)).Select(s => s.Title));
    }

    [Fact]
    public async Task CreateSessionAsync_IdTakenBySameOwner_ThrowsSessionAlreadyExistsAndKeepsTheFirst()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "first");

        var error = await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "second"));

        Assert.Contains("conv-1", error.Message, StringComparison.Ordinal);
        Assert.Equal("first", (await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.Title);
        Assert.Single(await Stores.Sessions.ListSessionsAsync(Alice));
    }

    [Fact]
    public async Task CreateSessionAsync_IdOfSoftDeletedSession_ThrowsSessionAlreadyExists()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "first");
        await Stores.Sessions.SetSessionActiveAsync(Alice, "conv-1", false);

        await Assert.ThrowsAsync<SessionAlreadyExistsException>(() => Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "second"));

        Assert.Equal("first", (await Stores.Sessions.GetSessionAsync(Alice, "conv-1", includeDeleted: true))!.Title);
    }

    [Fact]
    public async Task CreateSessionAsync_ConcurrentCreatesOfOneId_OneWinsTheOtherThrowsSessionAlreadyExists()
    {
        var outcomes = await RunConcurrentlyAsync(
            () => TryCreateAsync("first"),
            () => TryCreateAsync("second"));

        Assert.Single(new[] { outcomes.First, outcomes.Second }, o => o is ChatSession);
        Assert.Single(new[] { outcomes.First, outcomes.Second }, o => o is SessionAlreadyExistsException);
        Assert.Single(await Stores.Sessions.ListSessionsAsync(Alice));

        async Task<object> TryCreateAsync(string title)
        {
            try
            {
                return await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", title);
            }
            catch (SessionAlreadyExistsException ex)
            {
                return ex;
            }
        }
    }

    [Fact]
    public async Task CreateSessionAsync_AnonymousOwner_OwnsOnlyItsOwnId()
    {
        var session = await Stores.Sessions.CreateSessionAsync(AnonymousLookalike);

        Assert.Equal(AnonymousLookalike.Id, session.Id);
        Assert.Null(session.UserId);
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => Stores.Sessions.CreateSessionAsync(AnonymousLookalike, "someone-else"));
        Assert.Null(await Stores.Sessions.GetSessionAsync(AnonymousLookalike, "someone-else", includeDeleted: true));
    }

    [Fact]
    public async Task GetSessionAsync_OtherOwners_SeeNothingOfAlicesSession()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "secret plans");

        foreach (var intruder in Intruders)
        {
            Assert.Null(await Stores.Sessions.GetSessionAsync(intruder, "conv-1"));
            Assert.Null(await Stores.Sessions.GetSessionAsync(intruder, "conv-1", includeDeleted: true));
            Assert.Empty(await Stores.Sessions.GetSessionsAsync(intruder, ["conv-1"], includeDeleted: true));
            Assert.Empty(await Stores.Sessions.ListSessionsAsync(intruder));
        }
    }

    [Fact]
    public async Task GetSessionAsync_SoftDeleted_IsHiddenUnlessAskedFor()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1");
        await Stores.Sessions.SetSessionActiveAsync(Alice, "conv-1", false);

        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, "conv-1"));
        var deleted = await Stores.Sessions.GetSessionAsync(Alice, "conv-1", includeDeleted: true);
        Assert.NotNull(deleted);
        Assert.False(deleted.IsActive);
        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, "missing", includeDeleted: true));
    }

    [Fact]
    public async Task GetSessionsAsync_MixedIds_ReturnsTheOwnersActiveOnesUnlessAskedForDeleted()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "a");
        await Stores.Sessions.CreateSessionAsync(Alice, "b");
        await Stores.Sessions.CreateSessionAsync(Bob, "c");
        await Stores.Sessions.SetSessionActiveAsync(Alice, "b", false);

        var active = await Stores.Sessions.GetSessionsAsync(Alice, ["a", "b", "c", "missing", "a"]);
        var all = await Stores.Sessions.GetSessionsAsync(Alice, ["a", "b", "c", "missing"], includeDeleted: true);

        Assert.Equal(["a"], active.Select(s => s.Id));
        Assert.Equal(["a", "b"], all.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await Stores.Sessions.GetSessionsAsync(Alice, []));
    }

    [Fact]
    public async Task ListSessionsAsync_SeveralSessions_MostRecentlyUpdatedFirstWithPaging()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "old");
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Stores.Sessions.CreateSessionAsync(Alice, "middle");
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Stores.Sessions.CreateSessionAsync(Alice, "new");
        Clock.Advance(TimeSpan.FromMinutes(1));
        await AppendAsync(Alice, "old", "a new message moves the session to the top");

        Assert.Equal(["old", "new", "middle"], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id));
        Assert.Equal(["new"], (await Stores.Sessions.ListSessionsAsync(Alice, skip: 1, take: 1)).Select(s => s.Id));
        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice, take: 0));
        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice, skip: 3));
    }

    [Fact]
    public async Task ListSessionsAsync_AnonymousSessions_EachListsOnlyItself()
    {
        // Listing an anonymous session used to list every anonymous session in the database, with titles from their first messages.
        var other = MemoryOwner.AnonymousSession("anon-" + Guid.NewGuid().ToString("N"));
        await Stores.Sessions.CreateSessionAsync(AnonymousLookalike);
        await Stores.Sessions.CreateSessionAsync(other);
        await AppendAsync(other, other.Id, "the other visitor's first words");

        Assert.Equal([AnonymousLookalike.Id], (await Stores.Sessions.ListSessionsAsync(AnonymousLookalike)).Select(s => s.Id));
        Assert.Equal([other.Id], (await Stores.Sessions.ListSessionsAsync(other)).Select(s => s.Id));
        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice));
    }

    [Fact]
    public async Task ListSessionsAsync_SoftDeletedAndRestored_LeavesAndComesBack()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "a");
        await Stores.Sessions.CreateSessionAsync(Alice, "b");

        await Stores.Sessions.SetSessionActiveAsync(Alice, "a", false);
        Assert.Equal(["b"], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id));

        await Stores.Sessions.SetSessionActiveAsync(Alice, "a", true);
        Assert.Equal(["a", "b"], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True((await Stores.Sessions.GetSessionAsync(Alice, "a"))!.IsActive);
    }

    [Fact]
    public async Task RenameSessionAsync_OwnSession_ChangesTheTitleAndUpdatedAt()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "before");
        Clock.Advance(TimeSpan.FromMinutes(5));

        await Stores.Sessions.RenameSessionAsync(Alice, "conv-1", "after");

        var read = await Stores.Sessions.GetSessionAsync(Alice, "conv-1");
        Assert.Equal("after", read!.Title);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(Start.AddMinutes(5), read.UpdatedAt);
    }

    [Fact]
    public async Task RenameSessionAsync_SoftDeletedSession_IsAllowed()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "before");
        await Stores.Sessions.SetSessionActiveAsync(Alice, "conv-1", false);

        await Stores.Sessions.RenameSessionAsync(Alice, "conv-1", "after");

        Assert.Equal("after", (await Stores.Sessions.GetSessionAsync(Alice, "conv-1", includeDeleted: true))!.Title);
    }

    [Fact]
    public async Task RenameSessionAsync_OtherOwnersOrMissingId_ThrowsSessionNotFoundAndChangesNothing()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "Alice's title");

        foreach (var intruder in Intruders)
        {
            var error = await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.RenameSessionAsync(intruder, "conv-1", "pwned"));
            Assert.Equal("conv-1", error.SessionId);
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.RenameSessionAsync(Alice, "missing", "x"));
        var read = await Stores.Sessions.GetSessionAsync(Alice, "conv-1");
        Assert.Equal("Alice's title", read!.Title);
        Assert.Equal(Start, read.UpdatedAt);
        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, "missing", includeDeleted: true));
    }

    [Fact]
    public async Task SetSessionActiveAsync_OtherOwnersOrMissingId_ThrowsSessionNotFoundAndChangesNothing()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "live");
        await Stores.Sessions.CreateSessionAsync(Alice, "deleted");
        await Stores.Sessions.SetSessionActiveAsync(Alice, "deleted", false);

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.SetSessionActiveAsync(intruder, "live", false));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.SetSessionActiveAsync(intruder, "deleted", true));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.SetSessionActiveAsync(Alice, "missing", false));
        Assert.True((await Stores.Sessions.GetSessionAsync(Alice, "live"))!.IsActive);
        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, "deleted"));
    }

    [Fact]
    public async Task SetSessionActiveAsync_SoftDeleted_KeepsMessagesReadableAndRestoreKeepsThem()
    {
        var (session, messages) = await SessionWithMessagesAsync(Alice, "one", "two");

        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);
        Assert.Equal(["one", "two"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Content));

        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, true);
        var restored = await Stores.Sessions.GetSessionAsync(Alice, session.Id);
        Assert.Equal(2, restored!.MessageCount);
        Assert.Equal(messages.Select(m => m.Id), (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Id));
    }

    [Fact]
    public async Task PurgeSessionAsync_OwnSession_RemovesItAndItsMessagesAndSummariesAndFreesTheId()
    {
        var (session, messages) = await SessionWithMessagesAsync(Alice, "one", "two");
        await Stores.Summaries.AddSummaryAsync(
            Alice, new ConversationSummary { SessionId = session.Id, FirstMessageId = messages[0].Id, LastMessageId = messages[1].Id, Content = "sum" }, [messages[0].Id], []);
        var (kept, keptMessages) = await SessionWithMessagesAsync(Alice, "kept");

        await Stores.Sessions.PurgeSessionAsync(Alice, session.Id);

        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, session.Id, includeDeleted: true));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Empty(await Stores.Messages.GetMessagesWithNeighborsAsync(Alice, messages.Select(m => m.Id).ToList()));
        Assert.Equal([kept.Id], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id));
        Assert.Equal(keptMessages.Select(m => m.Id), (await Stores.Messages.GetMessagesAsync(Alice, kept.Id)).Select(m => m.Id));

        // The id is free again, and the new session starts empty.
        await Stores.Sessions.CreateSessionAsync(Alice, session.Id);
        Assert.Empty(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Empty(await Stores.Summaries.GetSummariesAsync(Alice, session.Id, activeOnly: false));
    }

    [Fact]
    public async Task PurgeSessionAsync_SoftDeletedSession_IsPurged()
    {
        var (session, _) = await SessionWithMessagesAsync(Alice, "one");
        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);

        await Stores.Sessions.PurgeSessionAsync(Alice, session.Id);

        Assert.Null(await Stores.Sessions.GetSessionAsync(Alice, session.Id, includeDeleted: true));
    }

    [Fact]
    public async Task PurgeSessionAsync_OtherOwnersOrMissingId_ThrowsSessionNotFoundAndDeletesNothing()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1");
        await AppendAsync(Alice, "conv-1", "keep me");

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.PurgeSessionAsync(intruder, "conv-1"));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Sessions.PurgeSessionAsync(Alice, "missing"));
        Assert.Equal(1, (await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.MessageCount);
        Assert.Equal(["keep me"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
    }

    [Fact]
    public async Task PurgeSessionAsync_SameIdUnderAnotherOwner_LeavesTheOtherOwnersSession()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1");
        await Stores.Sessions.CreateSessionAsync(Bob, "conv-1");
        await AppendAsync(Alice, "conv-1", "alice");
        await AppendAsync(Bob, "conv-1", "bob");

        await Stores.Sessions.PurgeSessionAsync(Bob, "conv-1");

        Assert.Null(await Stores.Sessions.GetSessionAsync(Bob, "conv-1", includeDeleted: true));
        Assert.Equal(["alice"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
    }

    [Fact]
    public async Task PurgeOwnerAsync_OwnerWithData_CountsWhatItDeletedAndLeavesNothing()
    {
        var (first, firstMessages) = await SessionWithMessagesAsync(Alice, "one", "two", "three");
        var (second, _) = await SessionWithMessagesAsync(Alice, "four");
        await Stores.Sessions.SetSessionActiveAsync(Alice, second.Id, false);
        await Stores.Summaries.AddSummaryAsync(
            Alice, new ConversationSummary { SessionId = first.Id, FirstMessageId = firstMessages[0].Id, LastMessageId = firstMessages[1].Id, Content = "sum" }, [firstMessages[0].Id, firstMessages[1].Id], []);
        var claimed = await Stores.Outbox.ClaimAsync(2, Start, TimeSpan.FromMinutes(1));
        await Stores.Outbox.CompleteAsync([claimed[0].Id]);
        await Stores.Outbox.FailAsync([claimed[1].Id], "dead before the purge", Start, maxAttempts: 1);
        Assert.Equal(new IndexStatus(3, 1, 0, 1, "dead before the purge"), await Stores.Outbox.GetIndexStatusAsync(Alice));

        var receipt = await Stores.Sessions.PurgeOwnerAsync(Alice);

        Assert.Equal(2, receipt.Sessions);
        Assert.Equal(4, receipt.Messages);
        Assert.Equal(1, receipt.Summaries);
        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice));
        Assert.Empty(await Stores.Sessions.GetSessionsAsync(Alice, [first.Id, second.Id], includeDeleted: true));
        Assert.Empty(await Stores.Messages.GetMessagesWithNeighborsAsync(Alice, firstMessages.Select(m => m.Id).ToList(), before: 5, after: 5));
        Assert.Equal(new IndexStatus(0, 0, 0, 0, null), await Stores.Outbox.GetIndexStatusAsync(Alice));
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start.AddDays(1), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task PurgeOwnerAsync_OneOwner_LeavesEveryOtherOwnersDataAlone()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1");
        await AppendAsync(Alice, "conv-1", "alice");
        foreach (var other in Intruders)
        {
            await CreateSessionAsync(other, other.Kind == MemoryOwnerKind.AnonymousSession ? null : "conv-1");
            await AppendAsync(other, other.Kind == MemoryOwnerKind.AnonymousSession ? other.Id : "conv-1", "kept for " + other.Id);
        }

        await Stores.Sessions.PurgeOwnerAsync(Alice);

        foreach (var other in Intruders)
        {
            var sessionId = other.Kind == MemoryOwnerKind.AnonymousSession ? other.Id : "conv-1";
            Assert.Equal(["kept for " + other.Id], (await Stores.Messages.GetMessagesAsync(other, sessionId)).Select(m => m.Content));
            Assert.Equal(1, (await Stores.Outbox.GetIndexStatusAsync(other)).Pending);
        }
    }

    [Fact]
    public async Task PurgeOwnerAsync_OwnerWithNothing_ReturnsZeroCounts()
    {
        var receipt = await Stores.Sessions.PurgeOwnerAsync(Bob);

        Assert.Equal(0, receipt.Sessions);
        Assert.Equal(0, receipt.Messages);
        Assert.Equal(0, receipt.Summaries);
    }

    [Fact]
    public async Task OwnerIdWithNulCharacter_NeverReachesAnotherOwnersSessions()
    {
        // Microsoft.Data.Sqlite binds a string longer than 512 UTF-8 bytes NUL-terminated: cut at the NUL, this id was Alice's.
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "Alice's");
        await AppendAsync(Alice, "conv-1", "my bank PIN is 4321");
        MemoryOwner forged;
        try
        {
            forged = MemoryOwner.User(Alice.Id + "\0" + new string('x', 600));
        }
        catch (ArgumentException)
        {
            return; // Refusing such an owner outright holds the promise too.
        }

        await AssertRefusedOrAsync(() => Stores.Sessions.GetSessionAsync(forged, "conv-1"), Assert.Null);
        await AssertRefusedOrAsync(() => Stores.Sessions.ListSessionsAsync(forged), Assert.Empty);
        await AssertRefusedOrAsync(() => Stores.Messages.GetMessagesWithNeighborsAsync(forged, [1, 2, 3], before: 5, after: 5), Assert.Empty);
        await AssertRefusedOrAsync(() => Stores.Messages.GetMessagesAsync(forged, "conv-1"), _ => Assert.Fail("the forged owner read Alice's messages"));
        await AssertRefusedOrAsync(() => Stores.Sessions.PurgeOwnerAsync(forged), r => Assert.Equal(0, r.Sessions));
        Assert.Equal(["my bank PIN is 4321"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
    }

    [Fact]
    public async Task SessionIdsThatCannotBeMatchedExactly_NeverReachAnotherSession()
    {
        // Cut at the U+0000 (or with the surrogate replaced), these ids named Alice's other sessions.
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "first");
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-\uFFFD", "second");
        await AppendAsync(Alice, "conv-1", "kept");
        foreach (var forged in new[] { "conv-1\0" + new string('x', 600), "conv-" + (char)0xD800 })
        {
            await AssertRefusedOrAsync(() => Stores.Sessions.GetSessionAsync(Alice, forged, includeDeleted: true), Assert.Null);
            await AssertRefusedOrAsync(() => Stores.Sessions.GetSessionsAsync(Alice, [forged], includeDeleted: true), Assert.Empty);
            await AssertRefusedAsync(() => Stores.Sessions.RenameSessionAsync(Alice, forged, "renamed"));
            await AssertRefusedAsync(() => Stores.Sessions.SetSessionActiveAsync(Alice, forged, false));
            await AssertRefusedAsync(() => Stores.Sessions.PurgeSessionAsync(Alice, forged));
            await AssertRefusedAsync(() => Stores.Messages.GetMessagesAsync(Alice, forged));
            await AssertRefusedAsync(() => AppendAsync(Alice, forged, "misplaced"));
            await AssertRefusedAsync(() => Stores.Outbox.GetIndexStatusAsync(Alice, forged));
        }

        var sessions = await Stores.Sessions.ListSessionsAsync(Alice);
        Assert.Equal(["first", "second"], sessions.Select(s => s.Title).Order(StringComparer.Ordinal));
        Assert.Equal(["kept"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
        Assert.Empty(await Stores.Messages.GetMessagesAsync(Alice, "conv-\uFFFD"));
    }

    [Fact]
    public async Task SessionIdArguments_NullEmptyOrWhitespace_ThrowArgumentExceptionNamingSessionId()
    {
        foreach (var bad in new[] { null, string.Empty, " ", "\t\n" })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.GetSessionAsync(Alice, bad!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.RenameSessionAsync(Alice, bad!, "t"));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.SetSessionActiveAsync(Alice, bad!, false));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.PurgeSessionAsync(Alice, bad!));
        }

        foreach (var blank in new[] { string.Empty, " ", "\t\n" })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.CreateSessionAsync(Alice, blank));
        }

        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice));
    }

    [Fact]
    public async Task OwnerArgument_Default_ThrowsArgumentExceptionNamingOwner()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1");

        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.CreateSessionAsync(default, "conv-1"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.GetSessionAsync(default, "conv-1"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.GetSessionsAsync(default, ["conv-1"]));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.ListSessionsAsync(default));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.RenameSessionAsync(default, "conv-1", "x"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.SetSessionActiveAsync(default, "conv-1", false));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.PurgeSessionAsync(default, "conv-1"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Sessions.PurgeOwnerAsync(default));

        Assert.True((await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.IsActive);
    }

    [Fact]
    public async Task TitleArguments_BlankOrUnstorable_ThrowArgumentExceptionNamingTitleAndWriteNothing()
    {
        await Stores.Sessions.CreateSessionAsync(Alice, "conv-1", "kept");

        await AssertThrowsArgumentAsync("title", () => Stores.Sessions.CreateSessionAsync(Alice, "conv-2", " "));
        await AssertThrowsArgumentAsync("title", () => Stores.Sessions.CreateSessionAsync(Alice, "conv-3", LoneSurrogateText));
        await AssertThrowsArgumentAsync("title", () => Stores.Sessions.RenameSessionAsync(Alice, "conv-1", null!));
        await AssertThrowsArgumentAsync("title", () => Stores.Sessions.RenameSessionAsync(Alice, "conv-1", string.Empty));
        await AssertThrowsArgumentAsync("title", () => Stores.Sessions.RenameSessionAsync(Alice, "conv-1", LoneSurrogateText));

        Assert.Equal(["conv-1"], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id));
        Assert.Equal("kept", (await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.Title);
    }

    [Fact]
    public async Task CreateSessionAsync_UnstorableSessionIdOrMetadata_ThrowsArgumentExceptionAndWritesNothing()
    {
        await AssertThrowsArgumentAsync("sessionId", () => Stores.Sessions.CreateSessionAsync(Alice, LoneSurrogateText));
        await AssertThrowsArgumentAsync("metadata", () => Stores.Sessions.CreateSessionAsync(Alice, "conv-1", metadata: new Dictionary<string, string> { ["k"] = LoneSurrogateText }));
        await AssertThrowsArgumentAsync("metadata", () => Stores.Sessions.CreateSessionAsync(Alice, "conv-2", metadata: new Dictionary<string, string> { ["k"] = null! }));

        Assert.Empty(await Stores.Sessions.ListSessionsAsync(Alice));
    }

    [Fact]
    public async Task ListSessionsAsync_NegativePaging_ThrowsArgumentOutOfRange()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("skip", () => Stores.Sessions.ListSessionsAsync(Alice, skip: -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("take", () => Stores.Sessions.ListSessionsAsync(Alice, take: -1));
    }

    [Fact]
    public async Task CreateSessionAsync_TrickyText_IsStoredVerbatim()
    {
        const string Tricky = "'; DROP TABLE sessions; -- \"q\" `b` \\ % _ @sessionId $1 :y ? \U0001F600 e\u0301 \u200B end";

        await Stores.Sessions.CreateSessionAsync(Alice, Tricky, Tricky, new Dictionary<string, string> { [Tricky] = Tricky });

        var read = await Stores.Sessions.GetSessionAsync(Alice, Tricky);
        Assert.NotNull(read);
        Assert.Equal(Tricky, read.Title);
        Assert.Equal(Tricky, read.Metadata![Tricky]);
        Assert.Equal([Tricky], (await Stores.Sessions.ListSessionsAsync(Alice)).Select(s => s.Id));
    }
}
