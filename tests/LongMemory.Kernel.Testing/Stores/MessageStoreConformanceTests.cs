using System.Globalization;
using Microsoft.Extensions.AI;
using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IMessageStore"/> must have: appends that are atomic, idempotent per key (also under
/// concurrency) and enter the indexing outbox with their rows; reads in order; nothing of another owner's session.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>An owner reading or writing a session id it does not have (another owner's, or nobody's) gets
/// <see cref="SessionNotFoundException"/>; <see cref="IMessageStore.GetMessagesWithNeighborsAsync"/> and ids of other
/// sessions in <see cref="IMessageStore.GetMessagesByIdAsync"/> just leave the foreign messages out.</item>
/// <item>A repeated <see cref="NewMessage.IdempotencyKey"/> returns the stored message (its id and content, not the
/// repeat's) and adds no row, no counter and no outbox entry; keys are per session.</item>
/// <item>Adding to a soft-deleted session throws <see cref="InvalidOperationException"/>; reading it works.</item>
/// <item>One bad message in a batch throws <see cref="ArgumentException"/> naming <c>messages</c> and stores none of the batch.</item>
/// </list>
/// </remarks>
public abstract class MessageStoreConformanceTests : StoreConformanceTestBase
{
    [Fact]
    public async Task AppendMessagesAsync_Batch_ReturnsIncreasingIdsAndIsReadBackInOrder()
    {
        var session = await CreateSessionAsync(Alice);
        var at = Start.AddDays(-1);

        var stored = await Stores.Messages.AppendMessagesAsync(Alice, session.Id, [
            new NewMessage { Role = ChatRole.System, Content = "be brief", MessageType = StoredMessageType.System },
            new NewMessage { Role = ChatRole.User, Content = "hello", TokenCount = 3, CreatedAt = at, Metadata = new Dictionary<string, string> { ["k"] = "v" } },
            new NewMessage { Role = ChatRole.Assistant, Content = "hi", TokenCount = 2, ResponseId = "resp-1" },
            new NewMessage { Role = ChatRole.Tool, Content = string.Empty, ContentsJson = "[{\"$type\":\"functionResult\",\"callId\":\"c1\"}]", MessageType = StoredMessageType.Tool },
        ]);

        Assert.Equal(4, stored.Count);
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids must increase in insertion order");
        var read = await Stores.Messages.GetMessagesAsync(Alice, session.Id);
        Assert.Equal(stored.Select(m => m.Id), read.Select(m => m.Id));
        Assert.Equal(["be brief", "hello", "hi", string.Empty], read.Select(m => m.Content));
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Tool], read.Select(m => m.Role));
        Assert.Equal([StoredMessageType.System, StoredMessageType.Chat, StoredMessageType.Chat, StoredMessageType.Tool], read.Select(m => m.MessageType));
        Assert.All(read, m => Assert.Equal(session.Id, m.SessionId));
        Assert.All(read, m => Assert.Equal(Alice, m.Owner));
        Assert.All(read, m => Assert.False(m.IsTrimmed));
        Assert.Equal(at, read[1].CreatedAt);
        Assert.Equal(Start, read[2].CreatedAt);
        Assert.Equal("v", read[1].Metadata!["k"]);
        Assert.Equal("resp-1", read[2].ResponseId);
        Assert.Equal("[{\"$type\":\"functionResult\",\"callId\":\"c1\"}]", read[3].ContentsJson);
        Assert.Equal(3, read[1].TokenCount);
    }

    [Fact]
    public async Task AppendMessagesAsync_UpdatesSessionCountersUpdatedAtAndDerivedTitle()
    {
        var session = await CreateSessionAsync(Alice);
        Clock.Advance(TimeSpan.FromMinutes(5));

        await Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("be brief", ChatRole.System, tokenCount: 4), Message("Plan a trip to Lisbon\nin May", tokenCount: 6)]);
        await AppendAsync(Alice, session.Id, "Something else");

        var read = await Stores.Sessions.GetSessionAsync(Alice, session.Id);
        Assert.Equal(3, read!.MessageCount);
        Assert.Equal(11, read.TokensUsed);
        Assert.Equal(Start.AddMinutes(5), read.UpdatedAt);
        Assert.Equal("Plan a trip to Lisbon", read.Title);
    }

    [Fact]
    public async Task AppendMessagesAsync_SessionWithExplicitTitle_KeepsTheTitle()
    {
        var session = await CreateSessionAsync(Alice, title: "Mine");

        await AppendAsync(Alice, session.Id, "Plan a trip");

        Assert.Equal("Mine", (await Stores.Sessions.GetSessionAsync(Alice, session.Id))!.Title);
    }

    [Fact]
    public async Task AppendMessagesAsync_SameIdempotencyKeyTwice_StoresOneRowAndReturnsTheStoredMessage()
    {
        var session = await CreateSessionAsync(Alice);
        var first = Assert.Single(await Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("original", idempotencyKey: "turn-1", tokenCount: 5)]));
        Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("re-sent", idempotencyKey: "turn-1", tokenCount: 5), Message("new", idempotencyKey: "turn-2")]);

        Assert.Equal(first.Id, again[0].Id);
        Assert.Equal("original", again[0].Content);
        Assert.Equal(Start, again[0].CreatedAt);
        Assert.NotEqual(first.Id, again[1].Id);
        Assert.Equal(["original", "new"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Content));
        var read = await Stores.Sessions.GetSessionAsync(Alice, session.Id);
        Assert.Equal(2, read!.MessageCount);
        Assert.Equal(6, read.TokensUsed);
        Assert.Equal(2, (await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id)).Pending);
    }

    [Fact]
    public async Task AppendMessagesAsync_SameIdempotencyKeyFromTwoConcurrentCalls_StoresOneRowAndBothGetIt()
    {
        var session = await CreateSessionAsync(Alice);

        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("attempt A", idempotencyKey: "turn-1")]),
            () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("attempt B", idempotencyKey: "turn-1")]));

        var stored = Assert.Single(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Equal(stored.Id, Assert.Single(first).Id);
        Assert.Equal(stored.Id, Assert.Single(second).Id);
        Assert.Equal(stored.Content, first[0].Content);
        Assert.Equal(stored.Content, second[0].Content);
        Assert.Equal(1, (await Stores.Sessions.GetSessionAsync(Alice, session.Id))!.MessageCount);
        Assert.Equal(1, (await Stores.Outbox.GetIndexStatusAsync(Alice, session.Id)).Pending);
    }

    [Fact]
    public async Task AppendMessagesAsync_ConcurrentAppendsWithoutKeys_CountEveryMessage()
    {
        var session = await CreateSessionAsync(Alice);

        var (first, second) = await RunConcurrentlyAsync(
            () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, Enumerable.Range(0, 10).Select(i => Message("a" + i, tokenCount: 2)).ToList()),
            () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, Enumerable.Range(0, 10).Select(i => Message("b" + i, tokenCount: 3)).ToList()));

        Assert.Empty(first.Select(m => m.Id).Intersect(second.Select(m => m.Id)));
        var read = await Stores.Sessions.GetSessionAsync(Alice, session.Id);
        Assert.Equal(20, read!.MessageCount);
        Assert.Equal(50, read.TokensUsed);
        Assert.Equal(20, (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Count);
    }

    [Fact]
    public async Task AppendMessagesAsync_SameIdempotencyKeyInTwoSessions_StoresBoth()
    {
        var a = await CreateSessionAsync(Alice);
        var b = await CreateSessionAsync(Alice);
        var bobs = await CreateSessionAsync(Bob, a.Id);

        var inA = await Stores.Messages.AppendMessagesAsync(Alice, a.Id, [Message("in a", idempotencyKey: "turn-1")]);
        var inB = await Stores.Messages.AppendMessagesAsync(Alice, b.Id, [Message("in b", idempotencyKey: "turn-1")]);
        var inBobs = await Stores.Messages.AppendMessagesAsync(Bob, bobs.Id, [Message("bob's", idempotencyKey: "turn-1")]);

        Assert.Equal(3, new[] { inA[0].Id, inB[0].Id, inBobs[0].Id }.Distinct().Count());
        Assert.Equal(["in a"], (await Stores.Messages.GetMessagesAsync(Alice, a.Id)).Select(m => m.Content));
        Assert.Equal(["in b"], (await Stores.Messages.GetMessagesAsync(Alice, b.Id)).Select(m => m.Content));
        Assert.Equal(["bob's"], (await Stores.Messages.GetMessagesAsync(Bob, bobs.Id)).Select(m => m.Content));
    }

    [Fact]
    public async Task AppendMessagesAsync_NewMessages_WriteOneOutboxEntryEach()
    {
        var session = await CreateSessionAsync(Alice);

        var stored = await AppendAsync(Alice, session.Id, "one", "two", "three");

        var claimed = await Stores.Outbox.ClaimAsync(100, Start, TimeSpan.FromMinutes(1));
        Assert.Equal(stored.Select(m => m.Id.ToString(CultureInfo.InvariantCulture)), claimed.Select(e => e.SourceId));
        Assert.All(claimed, e =>
        {
            Assert.Equal(IndexItemKind.Message, e.Kind);
            Assert.Equal(IndexOperation.Upsert, e.Operation);
            Assert.Equal(Alice, e.Owner);
            Assert.Equal(session.Id, e.SessionId);
            Assert.Equal(0, e.Attempts);
        });
        Assert.All(await Stores.Messages.GetMessagesAsync(Alice, session.Id), m => Assert.Equal(IndexState.Pending, m.IndexState));
    }

    [Fact]
    public async Task AppendMessagesAsync_EmptyBatch_StoresNothingButStillChecksTheSession()
    {
        var session = await CreateSessionAsync(Alice);

        Assert.Empty(await Stores.Messages.AppendMessagesAsync(Alice, session.Id, []));

        Assert.Equal(0, (await Stores.Sessions.GetSessionAsync(Alice, session.Id))!.MessageCount);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.AppendMessagesAsync(Bob, session.Id, []));
    }

    [Fact]
    public async Task AppendMessagesAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFoundAndStoresNothing()
    {
        var session = await CreateSessionAsync(Alice, "conv-1");
        await AppendAsync(Alice, session.Id, "alice's");

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => AppendAsync(intruder, "conv-1", "injected"));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => AppendAsync(Alice, "missing", "lost"));
        Assert.Equal(["alice's"], (await Stores.Messages.GetMessagesAsync(Alice, "conv-1")).Select(m => m.Content));
        Assert.Equal(1, (await Stores.Sessions.GetSessionAsync(Alice, "conv-1"))!.MessageCount);
        Assert.Equal(1, (await Stores.Outbox.GetIndexStatusAsync()).Pending);
    }

    [Fact]
    public async Task AppendMessagesAsync_SoftDeletedSession_ThrowsInvalidOperationUntilRestored()
    {
        var session = await CreateSessionAsync(Alice);
        await AppendAsync(Alice, session.Id, "before");
        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AppendAsync(Alice, session.Id, "while deleted"));
        Assert.Equal(["before"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Content));

        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, true);
        await AppendAsync(Alice, session.Id, "after");
        Assert.Equal(["before", "after"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Content));
    }

    [Fact]
    public async Task AppendMessagesAsync_OneBadMessageInABatch_ThrowsNamingMessagesAndStoresNoneOfIt()
    {
        var session = await CreateSessionAsync(Alice);

        List<NewMessage[]> bad =
        [
            [Message("ok"), null!],
            [Message("ok"), Message(string.Empty)],
            [Message("ok"), Message(" \n ")],
            [Message("ok"), new NewMessage { Role = ChatRole.User, Content = null! }],
            [Message("ok"), new NewMessage { Role = ChatRole.Tool, Content = string.Empty, ContentsJson = " " }],
            [Message("ok"), new NewMessage { Role = ChatRole.User, Content = "x", TokenCount = -1 }],
            [Message("ok"), new NewMessage { Role = ChatRole.User, Content = "x", IdempotencyKey = " " }],
            [Message("ok"), Message(LoneSurrogateText)],
            [Message("ok"), new NewMessage { Role = ChatRole.User, Content = "x", Metadata = new Dictionary<string, string> { ["k"] = LoneSurrogateText } }],
        ];
        foreach (var batch in bad)
        {
            await AssertThrowsArgumentAsync("messages", () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, batch));
        }

        await AssertThrowsArgumentAsync("messages", () => Stores.Messages.AppendMessagesAsync(Alice, session.Id, null!));
        Assert.Empty(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        var read = await Stores.Sessions.GetSessionAsync(Alice, session.Id);
        Assert.Equal(0, read!.MessageCount);
        Assert.Null(read.Title);
        Assert.True((await Stores.Outbox.GetIndexStatusAsync()).IsClean);
    }

    [Fact]
    public async Task AppendMessagesAsync_TrickyText_IsStoredVerbatim()
    {
        var session = await CreateSessionAsync(Alice);
        var texts = new[]
        {
            "'; DROP TABLE messages; --",
            "Robert'); DELETE FROM sessions WHERE ('1'='1",
            "\"quoted\" 'single' `back` \\ % _ @sessionId $1 :y ?",
            "emoji \U0001F600 and e\u0301 and \u200B zero width",
            new string('x', 200_000),
        };

        await AppendAsync(Alice, session.Id, texts);

        Assert.Equal(texts, (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(m => m.Content));
    }

    [Fact]
    public async Task AppendMessagesAsync_LongTextWithNulCharacter_IsStoredVerbatimOrRefused()
    {
        var session = await CreateSessionAsync(Alice);

        try
        {
            await Stores.Messages.AppendMessagesAsync(Alice, session.Id, [Message("kept only with the next one"), Message(LongTextWithNul)]);
        }
        catch (ArgumentException error)
        {
            Assert.Equal("messages", error.ParamName);
            Assert.Empty(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
            return;
        }

        Assert.Equal(LongTextWithNul, (await Stores.Messages.GetMessagesAsync(Alice, session.Id))[1].Content);
    }

    [Fact]
    public async Task GetMessagesAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFound()
    {
        var session = await CreateSessionAsync(Alice, "conv-1");
        await AppendAsync(Alice, session.Id, "my bank PIN is 4321");

        foreach (var intruder in Intruders)
        {
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.GetMessagesAsync(intruder, "conv-1"));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.GetMessagesByIdAsync(intruder, "conv-1", [1, 2, 3]));
        }

        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.GetMessagesAsync(Alice, "missing"));
    }

    [Fact]
    public async Task GetMessagesAsync_EmptySessionOfTheOwner_ReturnsNothing()
    {
        var session = await CreateSessionAsync(Alice);

        Assert.Empty(await Stores.Messages.GetMessagesAsync(Alice, session.Id));
        Assert.Empty(await Stores.Messages.GetMessagesByIdAsync(Alice, session.Id, [1, 2]));
    }

    [Fact]
    public async Task GetMessagesAsync_Query_PagesFiltersAndKeepsAscendingOrder()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2", "m3", "m4", "m5");
        await Stores.Messages.SetTrimmedAsync(Alice, session.Id, [m[0].Id, m[1].Id], true);

        async Task<IEnumerable<string>> ReadAsync(MessageQuery query) => (await Stores.Messages.GetMessagesAsync(Alice, session.Id, query)).Select(x => x.Content);

        Assert.Equal(["m2", "m3", "m4", "m5"], await ReadAsync(new MessageQuery { IncludeTrimmed = false }));
        Assert.Equal(["m1", "m2"], await ReadAsync(new MessageQuery { Skip = 1, Take = 2 }));
        Assert.Equal(["m4", "m5"], await ReadAsync(new MessageQuery { Newest = true, Take = 2 }));
        Assert.Equal(["m2", "m3"], await ReadAsync(new MessageQuery { Newest = true, Skip = 2, Take = 2 }));
        Assert.Equal(["m3", "m4"], await ReadAsync(new MessageQuery { AfterId = m[2].Id, BeforeId = m[5].Id }));
        Assert.Equal(["m2"], await ReadAsync(new MessageQuery { IncludeTrimmed = false, BeforeId = m[3].Id }));
        Assert.Empty(await ReadAsync(new MessageQuery { Take = 0 }));
    }

    [Fact]
    public async Task GetMessagesByIdAsync_IdsOfOtherSessionsAndOwners_AreLeftOut()
    {
        var (session, mine) = await SessionWithMessagesAsync(Alice, "a0", "a1", "a2");
        var (_, otherOfMine) = await SessionWithMessagesAsync(Alice, "other session");
        var (bobs, bobMessages) = await SessionWithMessagesAsync(Bob, "bob's");

        var read = await Stores.Messages.GetMessagesByIdAsync(Alice, session.Id, [mine[2].Id, otherOfMine[0].Id, bobMessages[0].Id, mine[0].Id, 999_999_999]);

        Assert.Equal(["a0", "a2"], read.Select(x => x.Content));
        Assert.Empty(await Stores.Messages.GetMessagesByIdAsync(Bob, bobs.Id, mine.Select(x => x.Id).ToList()));
    }

    [Fact]
    public async Task GetMessagesWithNeighborsAsync_InterleavedSessions_ReturnsOnlyEachSessionsNeighbours()
    {
        var a = await CreateSessionAsync(Alice);
        var b = await CreateSessionAsync(Alice);
        var stored = new List<StoredMessage>();
        for (var i = 0; i < 6; i++)
        {
            stored.AddRange(await AppendAsync(Alice, a.Id, $"a{i}"));
            stored.AddRange(await AppendAsync(Alice, b.Id, $"b{i}"));
        }

        var a3 = stored.Single(m => m.Content == "a3");
        var b0 = stored.Single(m => m.Content == "b0");
        var result = await Stores.Messages.GetMessagesWithNeighborsAsync(Alice, [a3.Id, b0.Id, a3.Id, 999_999_999], before: 1, after: 2);

        Assert.Equal(["a2", "a3", "a4", "a5"], result.Where(m => m.SessionId == a.Id).Select(m => m.Content));
        Assert.Equal(["b0", "b1", "b2"], result.Where(m => m.SessionId == b.Id).Select(m => m.Content));
        Assert.Equal(result.Select(m => m.Id).Order(), result.Select(m => m.Id));
        Assert.Empty(await Stores.Messages.GetMessagesWithNeighborsAsync(Alice, []));
    }

    [Fact]
    public async Task GetMessagesWithNeighborsAsync_OtherOwnersIds_ReturnNothingOfThem()
    {
        var (_, mine) = await SessionWithMessagesAsync(Alice, "my bank PIN is 4321", "and my address");
        foreach (var intruder in Intruders)
        {
            var (_, theirs) = await SessionWithMessagesAsync(intruder, "intruder's own");

            var read = await Stores.Messages.GetMessagesWithNeighborsAsync(intruder, [mine[0].Id, mine[1].Id, theirs[0].Id], before: 10, after: 10);

            Assert.Equal(["intruder's own"], read.Select(m => m.Content));
        }
    }

    [Fact]
    public async Task GetMessagesWithNeighborsAsync_SoftDeletedSession_IsStillRead()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "one", "two");
        await Stores.Sessions.SetSessionActiveAsync(Alice, session.Id, false);

        var read = await Stores.Messages.GetMessagesWithNeighborsAsync(Alice, [m[1].Id], before: 1);

        Assert.Equal(["one", "two"], read.Select(x => x.Content));
    }

    [Fact]
    public async Task SetTrimmedAsync_TrimAndRestore_CountsOnlyMessagesThatChanged()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1", "m2");
        var (_, other) = await SessionWithMessagesAsync(Alice, "other session");

        Assert.Equal(2, await Stores.Messages.SetTrimmedAsync(Alice, session.Id, [m[0].Id, m[1].Id, m[1].Id, other[0].Id], true));
        Assert.Equal(0, await Stores.Messages.SetTrimmedAsync(Alice, session.Id, [m[0].Id], true));
        Assert.Equal([true, true, false], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(x => x.IsTrimmed));

        Assert.Equal(1, await Stores.Messages.SetTrimmedAsync(Alice, session.Id, [m[1].Id, m[2].Id], false));
        Assert.Equal([true, false, false], (await Stores.Messages.GetMessagesAsync(Alice, session.Id)).Select(x => x.IsTrimmed));
        Assert.Equal(["m1", "m2"], (await Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { IncludeTrimmed = false })).Select(x => x.Content));
    }

    [Fact]
    public async Task SetTrimmedAsync_OtherOwnersOrMissingSession_ThrowsSessionNotFoundAndChangesNothing()
    {
        var (session, m) = await SessionWithMessagesAsync(Alice, "m0", "m1");
        await CreateSessionAsync(Bob, session.Id);

        foreach (var intruder in Intruders)
        {
            if (intruder != Bob)
            {
                await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.SetTrimmedAsync(intruder, session.Id, [m[0].Id, m[1].Id], true));
            }
        }

        // Bob's own session of the same id: Alice's message ids are not in it.
        Assert.Equal(0, await Stores.Messages.SetTrimmedAsync(Bob, session.Id, [m[0].Id, m[1].Id], true));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => Stores.Messages.SetTrimmedAsync(Alice, "missing", [m[0].Id], true));
        Assert.All(await Stores.Messages.GetMessagesAsync(Alice, session.Id), x => Assert.False(x.IsTrimmed));
    }

    [Fact]
    public async Task MessageArguments_NullEmptyOrWhitespaceIdsOrDefaultOwner_ThrowArgumentExceptionNamingThem()
    {
        var session = await CreateSessionAsync(Alice);
        foreach (var bad in new[] { null, string.Empty, " ", "\t\n" })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Messages.AppendMessagesAsync(Alice, bad!, [Message("x")]));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Messages.GetMessagesAsync(Alice, bad!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Messages.GetMessagesByIdAsync(Alice, bad!, [1]));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Messages.SetTrimmedAsync(Alice, bad!, [1], true));
        }

        await AssertThrowsArgumentAsync("owner", () => Stores.Messages.AppendMessagesAsync(default, session.Id, [Message("x")]));
        await AssertThrowsArgumentAsync("owner", () => Stores.Messages.GetMessagesAsync(default, session.Id));
        await AssertThrowsArgumentAsync("owner", () => Stores.Messages.GetMessagesByIdAsync(default, session.Id, [1]));
        await AssertThrowsArgumentAsync("owner", () => Stores.Messages.GetMessagesWithNeighborsAsync(default, [1]));
        await AssertThrowsArgumentAsync("owner", () => Stores.Messages.SetTrimmedAsync(default, session.Id, [1], true));
        await AssertThrowsArgumentAsync("messageIds", () => Stores.Messages.GetMessagesByIdAsync(Alice, session.Id, null!));
        await AssertThrowsArgumentAsync("messageIds", () => Stores.Messages.GetMessagesWithNeighborsAsync(Alice, null!));
        await AssertThrowsArgumentAsync("messageIds", () => Stores.Messages.SetTrimmedAsync(Alice, session.Id, null!, true));
        await AssertThrowsArgumentAsync("before", () => Stores.Messages.GetMessagesWithNeighborsAsync(Alice, [1], before: -1));
        await AssertThrowsArgumentAsync("after", () => Stores.Messages.GetMessagesWithNeighborsAsync(Alice, [1], after: -1));
        await AssertThrowsArgumentAsync("query.Skip", () => Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { Skip = -1 }));
        await AssertThrowsArgumentAsync("query.Take", () => Stores.Messages.GetMessagesAsync(Alice, session.Id, new MessageQuery { Take = -1 }));

        Assert.Equal(0, (await Stores.Sessions.GetSessionAsync(Alice, session.Id))!.MessageCount);
    }
}
