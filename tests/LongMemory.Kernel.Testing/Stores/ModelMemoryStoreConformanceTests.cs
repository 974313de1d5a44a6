using System.Globalization;
using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IModelMemoryStore"/> must have: entries of one owner only, forget that takes an entry
/// out of every read for good, session deletes that remove what was saved there, and every change in the indexing outbox.
/// </summary>
/// <remarks>
/// Decisions pinned for every backend (the SQLite store is the reference):
/// <list type="bullet">
/// <item>A forgotten entry is never returned, updated or forgotten again; <see cref="IModelMemoryStore.DeleteOwnerAsync"/>
/// counts it.</item>
/// <item>An update with another owner, or of a forgotten or unknown id, returns <see langword="false"/> and changes nothing.</item>
/// <item>Bad input throws <see cref="ArgumentException"/> naming the field (<c>entry.Content</c>, ...) and writes nothing.</item>
/// </list>
/// </remarks>
public abstract class ModelMemoryStoreConformanceTests : StoreConformanceTestBase
{
    [Fact]
    public async Task AddAsync_NewEntry_IsReadBackAsStored()
    {
        var added = await Stores.ModelMemory.AddAsync(Entry(Alice, "prefers metric units", category: "preference", importance: 0.8, sessionId: "conv-1", source: "app"));

        var read = await Stores.ModelMemory.GetAsync(Alice, added.Id);

        Assert.NotNull(read);
        Assert.Equal(added.Id, read.Id);
        Assert.Equal(Alice, read.Owner);
        Assert.Equal("prefers metric units", read.Content);
        Assert.Equal("preference", read.Category);
        Assert.Equal(0.8, read.Importance);
        Assert.Equal("conv-1", read.SessionId);
        Assert.Equal("app", read.Source);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(Start, read.UpdatedAt);
        Assert.Null(read.DeletedAt);
    }

    [Fact]
    public async Task UpdateAsync_OwnEntry_ChangesItAndUpdatedAt()
    {
        var added = await Stores.ModelMemory.AddAsync(Entry(Alice, "likes tea", sessionId: "conv-1"));
        Clock.Advance(TimeSpan.FromMinutes(10));

        Assert.True(await Stores.ModelMemory.UpdateAsync(Entry(Alice, "likes green tea", id: added.Id, category: "preference", importance: 0.9, sessionId: "conv-2")));

        var read = await Stores.ModelMemory.GetAsync(Alice, added.Id);
        Assert.Equal("likes green tea", read!.Content);
        Assert.Equal("preference", read.Category);
        Assert.Equal(0.9, read.Importance);
        Assert.Equal("conv-2", read.SessionId);
        Assert.Equal(Start, read.CreatedAt);
        Assert.Equal(Start.AddMinutes(10), read.UpdatedAt);
    }

    [Fact]
    public async Task UpdateAsync_UnknownOrForgottenId_ReturnsFalseAndCreatesNothing()
    {
        var forgotten = await Stores.ModelMemory.AddAsync(Entry(Alice, "old"));
        await Stores.ModelMemory.DeleteAsync(Alice, forgotten.Id);

        Assert.False(await Stores.ModelMemory.UpdateAsync(Entry(Alice, "resurrected", id: forgotten.Id)));
        Assert.False(await Stores.ModelMemory.UpdateAsync(Entry(Alice, "never existed", id: forgotten.Id + 1000)));

        Assert.Null(await Stores.ModelMemory.GetAsync(Alice, forgotten.Id));
        Assert.Empty(await Stores.ModelMemory.ListAsync(Alice));
    }

    [Fact]
    public async Task ListAsync_SeveralEntries_NewestFirstWithPagingAndWithoutForgottenOnes()
    {
        var first = await Stores.ModelMemory.AddAsync(Entry(Alice, "first"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Stores.ModelMemory.AddAsync(Entry(Alice, "second"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var third = await Stores.ModelMemory.AddAsync(Entry(Alice, "third"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        var fourth = await Stores.ModelMemory.AddAsync(Entry(Alice, "fourth"));
        await Stores.ModelMemory.DeleteAsync(Alice, second.Id);

        Assert.Equal([fourth.Id, third.Id, first.Id], (await Stores.ModelMemory.ListAsync(Alice)).Select(e => e.Id));
        Assert.Equal([third.Id], (await Stores.ModelMemory.ListAsync(Alice, skip: 1, take: 1)).Select(e => e.Id));
        Assert.Empty(await Stores.ModelMemory.ListAsync(Alice, take: 0));
    }

    [Fact]
    public async Task DeleteAsync_OwnEntry_TakesItOutOfEveryReadOnce()
    {
        var entry = await Stores.ModelMemory.AddAsync(Entry(Alice, "my bank PIN is 4321"));
        Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await Stores.ModelMemory.DeleteAsync(Alice, entry.Id));
        Assert.False(await Stores.ModelMemory.DeleteAsync(Alice, entry.Id));

        Assert.Null(await Stores.ModelMemory.GetAsync(Alice, entry.Id));
        Assert.Empty(await Stores.ModelMemory.ListAsync(Alice));
    }

    [Fact]
    public async Task Reads_OtherOwners_SeeNothingOfAlicesEntries()
    {
        var entry = await Stores.ModelMemory.AddAsync(Entry(Alice, "my bank PIN is 4321", sessionId: "conv-1"));

        foreach (var intruder in Intruders)
        {
            Assert.Null(await Stores.ModelMemory.GetAsync(intruder, entry.Id));
            Assert.Empty(await Stores.ModelMemory.ListAsync(intruder));
        }
    }

    [Fact]
    public async Task Writes_OtherOwners_NeverChangeOrDeleteAlicesEntries()
    {
        var entry = await Stores.ModelMemory.AddAsync(Entry(Alice, "my bank PIN is 4321", sessionId: "conv-1"));

        foreach (var intruder in Intruders)
        {
            Assert.False(await Stores.ModelMemory.UpdateAsync(Entry(intruder, "overwritten", id: entry.Id, sessionId: "conv-1")));
            Assert.False(await Stores.ModelMemory.DeleteAsync(intruder, entry.Id));
            Assert.Empty(await Stores.ModelMemory.DeleteBySessionAsync(intruder, "conv-1"));
            Assert.Equal(0, await Stores.ModelMemory.DeleteOwnerAsync(intruder));
        }

        var read = await Stores.ModelMemory.GetAsync(Alice, entry.Id);
        Assert.Equal("my bank PIN is 4321", read!.Content);
        Assert.Equal(Start, read.UpdatedAt);
    }

    [Fact]
    public async Task DeleteBySessionAsync_Session_RemovesWhatWasSavedOrLastUpdatedThereAndReturnsTheIds()
    {
        var savedThere = await Stores.ModelMemory.AddAsync(Entry(Alice, "saved there", sessionId: "doomed"));
        var movedThere = await Stores.ModelMemory.AddAsync(Entry(Alice, "moved there", sessionId: "kept"));
        var kept = await Stores.ModelMemory.AddAsync(Entry(Alice, "kept", sessionId: "kept"));
        var noSession = await Stores.ModelMemory.AddAsync(Entry(Alice, "no session"));
        await Stores.ModelMemory.UpdateAsync(Entry(Alice, "moved there", id: movedThere.Id, sessionId: "doomed"));

        var deleted = await Stores.ModelMemory.DeleteBySessionAsync(Alice, "doomed");

        Assert.Equal([savedThere.Id, movedThere.Id], deleted.Order());
        Assert.Equal([kept.Id, noSession.Id], (await Stores.ModelMemory.ListAsync(Alice)).Select(e => e.Id).Order());
        Assert.Empty(await Stores.ModelMemory.DeleteBySessionAsync(Alice, "doomed"));
    }

    [Fact]
    public async Task DeleteOwnerAsync_OwnerWithEntries_CountsForgottenOnesAndLeavesOthers()
    {
        await Stores.ModelMemory.AddAsync(Entry(Alice, "one"));
        var forgotten = await Stores.ModelMemory.AddAsync(Entry(Alice, "two"));
        await Stores.ModelMemory.DeleteAsync(Alice, forgotten.Id);
        var bobs = await Stores.ModelMemory.AddAsync(Entry(Bob, "bob's"));

        Assert.Equal(2, await Stores.ModelMemory.DeleteOwnerAsync(Alice));

        Assert.Empty(await Stores.ModelMemory.ListAsync(Alice));
        Assert.Equal([bobs.Id], (await Stores.ModelMemory.ListAsync(Bob)).Select(e => e.Id));
        Assert.Equal(0, await Stores.ModelMemory.DeleteOwnerAsync(Alice));
    }

    [Fact]
    public async Task AddUpdateAndDeleteAsync_EachChange_WritesAModelMemoryOutboxEntry()
    {
        var entry = await Stores.ModelMemory.AddAsync(Entry(Alice, "likes tea"));
        var added = await ClaimAndCompleteAsync();
        await Stores.ModelMemory.UpdateAsync(Entry(Alice, "likes green tea", id: entry.Id));
        var updated = await ClaimAndCompleteAsync();
        await Stores.ModelMemory.DeleteAsync(Alice, entry.Id);
        var deleted = await ClaimAndCompleteAsync();

        var sourceId = entry.Id.ToString(CultureInfo.InvariantCulture);
        Assert.All(new[] { added, updated, deleted }, e =>
        {
            Assert.Equal(IndexItemKind.ModelMemory, e.Kind);
            Assert.Equal(sourceId, e.SourceId);
            Assert.Equal(Alice, e.Owner);
        });
        Assert.Equal(IndexOperation.Upsert, added.Operation);
        Assert.Equal(IndexOperation.Upsert, updated.Operation);
        Assert.Equal(IndexOperation.Delete, deleted.Operation);

        // A refused change writes nothing.
        Assert.False(await Stores.ModelMemory.UpdateAsync(Entry(Bob, "x", id: entry.Id)));
        Assert.False(await Stores.ModelMemory.DeleteAsync(Bob, entry.Id));
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task AddAndUpdateAsync_BadEntry_ThrowArgumentExceptionNamingTheFieldAndWriteNothing()
    {
        var existing = await Stores.ModelMemory.AddAsync(Entry(Alice, "kept"));
        await Stores.Outbox.CompleteAsync((await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1))).Select(e => e.Id).ToList());
        var bad = new List<(string Field, ModelMemoryEntry Entry)>
        {
            ("entry.Owner", Entry(default, "x")),
            ("entry.Content", Entry(Alice, null!)),
            ("entry.Content", Entry(Alice, string.Empty)),
            ("entry.Content", Entry(Alice, " \n ")),
            ("entry.Content", Entry(Alice, LoneSurrogateText)),
            ("entry.Content", Entry(Alice, LongTextWithNul)),
            ("entry.Category", Entry(Alice, "x", category: " ")),
            ("entry.Category", Entry(Alice, "x", category: LoneSurrogateText)),
            ("entry.Importance", Entry(Alice, "x", importance: 1.5)),
            ("entry.Importance", Entry(Alice, "x", importance: double.NaN)),
            ("entry.SessionId", Entry(Alice, "x", sessionId: string.Empty)),
            ("entry.SessionId", Entry(Alice, "x", sessionId: " ")),
            ("entry.SessionId", Entry(Alice, "x", sessionId: LoneSurrogateText)),
        };

        await AssertThrowsArgumentAsync("entry", () => Stores.ModelMemory.AddAsync(null!));
        await AssertThrowsArgumentAsync("entry", () => Stores.ModelMemory.UpdateAsync(null!));
        await AssertThrowsArgumentAsync("entry.Source", () => Stores.ModelMemory.AddAsync(Entry(Alice, "x", source: " ")));
        foreach (var (field, entry) in bad)
        {
            await AssertThrowsArgumentAsync(field, () => Stores.ModelMemory.AddAsync(entry));
            await AssertThrowsArgumentAsync(field, () => Stores.ModelMemory.UpdateAsync(WithId(entry, existing.Id)));
        }

        var read = await Stores.ModelMemory.GetAsync(Alice, existing.Id);
        Assert.Equal("kept", read!.Content);
        Assert.Null(read.SessionId);
        Assert.Equal([existing.Id], (await Stores.ModelMemory.ListAsync(Alice)).Select(e => e.Id));
        Assert.Empty(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task ReadsAndDeletes_BadArguments_ThrowArgumentExceptionNamingThem()
    {
        await AssertThrowsArgumentAsync("owner", () => Stores.ModelMemory.GetAsync(default, 1));
        await AssertThrowsArgumentAsync("owner", () => Stores.ModelMemory.ListAsync(default));
        await AssertThrowsArgumentAsync("owner", () => Stores.ModelMemory.DeleteAsync(default, 1));
        await AssertThrowsArgumentAsync("owner", () => Stores.ModelMemory.DeleteBySessionAsync(default, "conv-1"));
        await AssertThrowsArgumentAsync("owner", () => Stores.ModelMemory.DeleteOwnerAsync(default));
        await AssertThrowsArgumentAsync("skip", () => Stores.ModelMemory.ListAsync(Alice, skip: -1));
        await AssertThrowsArgumentAsync("take", () => Stores.ModelMemory.ListAsync(Alice, take: -1));
        foreach (var blank in new[] { null, string.Empty, " " })
        {
            await AssertThrowsArgumentAsync("sessionId", () => Stores.ModelMemory.DeleteBySessionAsync(Alice, blank!));
        }
    }

    /// <summary>A model memory entry.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="content">The content.</param>
    /// <param name="id">The id (for updates).</param>
    /// <param name="category">The category.</param>
    /// <param name="importance">The importance.</param>
    /// <param name="sessionId">The session it was saved in.</param>
    /// <param name="source">Who wrote it.</param>
    /// <returns>The entry.</returns>
    protected static ModelMemoryEntry Entry(MemoryOwner owner, string content, long id = 0, string? category = null, double importance = 0.5, string? sessionId = null, string source = "model")
        => new() { Id = id, Owner = owner, Content = content, Category = category, Importance = importance, SessionId = sessionId, Source = source };

    private static ModelMemoryEntry WithId(ModelMemoryEntry entry, long id)
        => new() { Id = id, Owner = entry.Owner, Content = entry.Content, Category = entry.Category, Importance = entry.Importance, SessionId = entry.SessionId, Source = entry.Source };

    private async Task<IndexOutboxEntry> ClaimAndCompleteAsync()
    {
        var entry = Assert.Single(await Stores.Outbox.ClaimAsync(10, Start, TimeSpan.FromMinutes(1)));
        await Stores.Outbox.CompleteAsync([entry.Id]);
        return entry;
    }
}
