using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IDocumentStore"/> must have: documents keyed by owner, session and document id, replaced
/// in place, every change in the indexing outbox with it, and nothing of another owner's documents read or changed.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>An intruder's read of a victim's document is <see langword="null"/> and its delete <see langword="false"/>; an
/// intruder's upsert under the same ids never changes the victim's document (whether the intruder's own write is stored or
/// refused is left to the backend).</item>
/// <item>Purging a session (or an owner) removes its documents.</item>
/// <item>Bad input throws <see cref="ArgumentException"/> naming the parameter and writes nothing.</item>
/// </list>
/// </remarks>
public abstract class DocumentStoreConformanceTests : StoreConformanceTestBase
{
    [Fact]
    public async Task UpsertAsync_NewDocument_IsReadBackAsStored()
    {
        var session = await CreateSessionAsync(Alice);

        var stored = await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "Lease", "The rent is due on the 1st.");

        var read = await Stores.Documents.GetAsync(Alice, session.Id, "doc-1");
        Assert.NotNull(read);
        Assert.Equal(Alice, read.Owner);
        Assert.Equal(session.Id, read.SessionId);
        Assert.Equal("doc-1", read.DocumentId);
        Assert.Equal("Lease", read.Title);
        Assert.Equal("The rent is due on the 1st.", read.Text);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(Start, read.UpdatedAt);
        Assert.Equal(stored.Text, read.Text);
    }

    [Fact]
    public async Task UpsertAsync_SameDocumentIdAgain_ReplacesItAndKeepsCreatedAt()
    {
        var session = await CreateSessionAsync(Alice);
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "v1", "first text");
        Clock.Advance(TimeSpan.FromMinutes(3));

        var replaced = await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "v2", "second text");

        Assert.Equal("second text", replaced.Text);
        var read = await Stores.Documents.GetAsync(Alice, session.Id, "doc-1");
        Assert.Equal("v2", read!.Title);
        Assert.Equal("second text", read.Text);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(Start.AddMinutes(3), read.UpdatedAt);
    }

    [Fact]
    public async Task UpsertAsync_SameDocumentIdInTwoSessions_IsTwoDocuments()
    {
        var a = await CreateSessionAsync(Alice);
        var b = await CreateSessionAsync(Alice);

        await Stores.Documents.UpsertAsync(Alice, a.Id, "doc-1", "A", "text of a");
        await Stores.Documents.UpsertAsync(Alice, b.Id, "doc-1", "B", "text of b");

        Assert.Equal("text of a", (await Stores.Documents.GetAsync(Alice, a.Id, "doc-1"))!.Text);
        Assert.Equal("text of b", (await Stores.Documents.GetAsync(Alice, b.Id, "doc-1"))!.Text);
    }

    [Fact]
    public async Task GetAsync_OtherOwners_SeeNothingOfAlicesDocument()
    {
        var session = await CreateSessionAsync(Alice, "conv-1");
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "Bank", "PIN 4321");

        foreach (var intruder in Intruders)
        {
            Assert.Null(await Stores.Documents.GetAsync(intruder, "conv-1", "doc-1"));
        }

        Assert.Null(await Stores.Documents.GetAsync(Alice, "conv-1", "doc-2"));
        Assert.Null(await Stores.Documents.GetAsync(Alice, "other-session", "doc-1"));
    }

    [Fact]
    public async Task DeleteAsync_OtherOwners_DeleteNothingOfAlices()
    {
        var session = await CreateSessionAsync(Alice, "conv-1");
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "Bank", "PIN 4321");

        foreach (var intruder in Intruders)
        {
            Assert.False(await Stores.Documents.DeleteAsync(intruder, "conv-1", "doc-1"));
        }

        Assert.Equal("PIN 4321", (await Stores.Documents.GetAsync(Alice, "conv-1", "doc-1"))!.Text);
    }

    [Fact]
    public async Task UpsertAsync_OtherOwnersWithTheSameIds_NeverChangeAlicesDocument()
    {
        await CreateSessionAsync(Alice, "conv-1");
        await CreateSessionAsync(Bob, "conv-1");
        await Stores.Documents.UpsertAsync(Alice, "conv-1", "doc-1", "Bank", "PIN 4321");

        foreach (var intruder in Intruders)
        {
            try
            {
                await Stores.Documents.UpsertAsync(intruder, "conv-1", "doc-1", "pwned", "overwritten");
            }
            catch (SessionNotFoundException)
            {
                // Refusing a write to a session the intruder does not have is fine too.
            }
        }

        var read = await Stores.Documents.GetAsync(Alice, "conv-1", "doc-1");
        Assert.Equal("Bank", read!.Title);
        Assert.Equal("PIN 4321", read.Text);
        Assert.Equal("overwritten", (await Stores.Documents.GetAsync(Bob, "conv-1", "doc-1"))!.Text);
    }

    [Fact]
    public async Task DeleteAsync_OwnDocument_RemovesItOnce()
    {
        var session = await CreateSessionAsync(Alice);
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "T", "text");
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-2", "T", "kept");

        Assert.True(await Stores.Documents.DeleteAsync(Alice, session.Id, "doc-1"));
        Assert.False(await Stores.Documents.DeleteAsync(Alice, session.Id, "doc-1"));

        Assert.Null(await Stores.Documents.GetAsync(Alice, session.Id, "doc-1"));
        Assert.Equal("kept", (await Stores.Documents.GetAsync(Alice, session.Id, "doc-2"))!.Text);
    }

    [Fact]
    public async Task UpsertAndDeleteAsync_EachChange_WritesAnOutboxEntry()
    {
        var session = await CreateSessionAsync(Alice);

        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "T", "text");
        var upsert = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
        await Stores.Outbox.CompleteAsync([upsert.Id]);
        await Stores.Documents.DeleteAsync(Alice, session.Id, "doc-1");
        var delete = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));

        Assert.Equal(IndexItemKind.Document, upsert.Kind);
        Assert.Equal(IndexOperation.Upsert, upsert.Operation);
        Assert.Equal("doc-1", upsert.SourceId);
        Assert.Equal(Alice, upsert.Owner);
        Assert.Equal(session.Id, upsert.SessionId);
        Assert.Equal(IndexItemKind.Document, delete.Kind);
        Assert.Equal(IndexOperation.Delete, delete.Operation);
        Assert.Equal("doc-1", delete.SourceId);
        Assert.Equal(Alice, delete.Owner);
    }

    [Fact]
    public async Task DeleteAsync_UnknownDocument_WritesNoOutboxEntry()
    {
        var session = await CreateSessionAsync(Alice);

        Assert.False(await Stores.Documents.DeleteAsync(Alice, session.Id, "never-stored"));

        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task PurgeSessionAsync_SessionWithDocuments_RemovesThemAndKeepsOtherSessions()
    {
        var purged = await CreateSessionAsync(Alice);
        var kept = await CreateSessionAsync(Alice);
        await Stores.Documents.UpsertAsync(Alice, purged.Id, "doc-1", "T", "purged text");
        await Stores.Documents.UpsertAsync(Alice, kept.Id, "doc-1", "T", "kept text");

        await Stores.Sessions.PurgeSessionAsync(Alice, purged.Id);

        Assert.Null(await Stores.Documents.GetAsync(Alice, purged.Id, "doc-1"));
        Assert.Equal("kept text", (await Stores.Documents.GetAsync(Alice, kept.Id, "doc-1"))!.Text);

        // A new session under the purged id does not inherit the old document.
        await CreateSessionAsync(Alice, purged.Id);
        Assert.Null(await Stores.Documents.GetAsync(Alice, purged.Id, "doc-1"));
    }

    [Fact]
    public async Task PurgeOwnerAsync_OwnerWithDocuments_RemovesOnlyTheirs()
    {
        var alices = await CreateSessionAsync(Alice, "conv-1");
        var bobs = await CreateSessionAsync(Bob, "conv-1");
        await Stores.Documents.UpsertAsync(Alice, alices.Id, "doc-1", "T", "alice's");
        await Stores.Documents.UpsertAsync(Bob, bobs.Id, "doc-1", "T", "bob's");

        await Stores.Sessions.PurgeOwnerAsync(Alice);

        Assert.Null(await Stores.Documents.GetAsync(Alice, "conv-1", "doc-1"));
        Assert.Equal("bob's", (await Stores.Documents.GetAsync(Bob, "conv-1", "doc-1"))!.Text);
    }

    [Fact]
    public async Task UpsertAsync_TrickyText_IsStoredVerbatim()
    {
        const string Tricky = "'; DROP TABLE documents; -- \"q\" `b` \\ % _ @documentId $1 \U0001F600 e\u0301 \u200B end";
        var session = await CreateSessionAsync(Alice);

        await Stores.Documents.UpsertAsync(Alice, session.Id, Tricky, Tricky, Tricky + new string('x', 100_000));

        var read = await Stores.Documents.GetAsync(Alice, session.Id, Tricky);
        Assert.Equal(Tricky, read!.Title);
        Assert.Equal(Tricky + new string('x', 100_000), read.Text);
    }

    [Fact]
    public async Task UpsertAsync_LongTextWithNulCharacter_IsStoredVerbatimOrRefused()
    {
        var session = await CreateSessionAsync(Alice);

        try
        {
            await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "T", LongTextWithNul);
        }
        catch (ArgumentException error)
        {
            Assert.Equal("text", error.ParamName);
            Assert.Null(await Stores.Documents.GetAsync(Alice, session.Id, "doc-1"));
            Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
            return;
        }

        Assert.Equal(LongTextWithNul, (await Stores.Documents.GetAsync(Alice, session.Id, "doc-1"))!.Text);
    }

    [Fact]
    public async Task IdsThatCannotBeMatchedExactly_NeverReachAnotherDocument()
    {
        var session = await CreateSessionAsync(Alice, "conv-1");
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-1", "T", "kept");
        await Stores.Documents.UpsertAsync(Alice, session.Id, "doc-\uFFFD", "T", "kept too");
        foreach (var forged in new[] { "doc-1\0" + new string('x', 600), "doc-" + (char)0xD800 })
        {
            await AssertRefusedOrAsync(() => Stores.Documents.GetAsync(Alice, session.Id, forged), Assert.Null);
            await AssertRefusedOrAsync(() => Stores.Documents.DeleteAsync(Alice, session.Id, forged), Assert.False);
        }

        foreach (var forgedSession in new[] { "conv-1\0" + new string('x', 600), "conv-" + (char)0xD800 })
        {
            await AssertRefusedOrAsync(() => Stores.Documents.GetAsync(Alice, forgedSession, "doc-1"), Assert.Null);
            await AssertRefusedOrAsync(() => Stores.Documents.DeleteAsync(Alice, forgedSession, "doc-1"), Assert.False);
        }

        Assert.Equal("kept", (await Stores.Documents.GetAsync(Alice, session.Id, "doc-1"))!.Text);
        Assert.Equal("kept too", (await Stores.Documents.GetAsync(Alice, session.Id, "doc-\uFFFD"))!.Text);
    }

    [Fact]
    public async Task DocumentArguments_NullEmptyWhitespaceOrUnstorable_ThrowArgumentExceptionNamingThemAndWriteNothing()
    {
        var session = await CreateSessionAsync(Alice);
        foreach (var bad in new[] { null, string.Empty, " ", "\t\n" })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Documents.UpsertAsync(Alice, bad!, "doc", "T", "text"));
            await AssertThrowsArgumentAsync("documentId", () => Stores.Documents.UpsertAsync(Alice, session.Id, bad!, "T", "text"));
            await AssertThrowsArgumentAsync("title", () => Stores.Documents.UpsertAsync(Alice, session.Id, "doc", bad!, "text"));
            await AssertThrowsArgumentAsync("text", () => Stores.Documents.UpsertAsync(Alice, session.Id, "doc", "T", bad!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Documents.GetAsync(Alice, bad!, "doc"));
            await AssertThrowsArgumentAsync("documentId", () => Stores.Documents.GetAsync(Alice, session.Id, bad!));
            await AssertThrowsArgumentAsync("sessionId", () => Stores.Documents.DeleteAsync(Alice, bad!, "doc"));
            await AssertThrowsArgumentAsync("documentId", () => Stores.Documents.DeleteAsync(Alice, session.Id, bad!));
        }

        await AssertThrowsArgumentAsync("sessionId", () => Stores.Documents.UpsertAsync(Alice, LoneSurrogateText, "doc", "T", "text"));
        await AssertThrowsArgumentAsync("documentId", () => Stores.Documents.UpsertAsync(Alice, session.Id, LoneSurrogateText, "T", "text"));
        await AssertThrowsArgumentAsync("title", () => Stores.Documents.UpsertAsync(Alice, session.Id, "doc", LoneSurrogateText, "text"));
        await AssertThrowsArgumentAsync("text", () => Stores.Documents.UpsertAsync(Alice, session.Id, "doc", "T", LoneSurrogateText));
        await AssertThrowsArgumentAsync("owner", () => Stores.Documents.UpsertAsync(default, session.Id, "doc", "T", "text"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Documents.GetAsync(default, session.Id, "doc"));
        await AssertThrowsArgumentAsync("owner", () => Stores.Documents.DeleteAsync(default, session.Id, "doc"));

        Assert.Null(await Stores.Documents.GetAsync(Alice, session.Id, "doc"));
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }
}
