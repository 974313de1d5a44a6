using Xunit;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// The behaviour every <see cref="IMemoryIndex"/> must have. A backend's test class derives from this class and creates a
/// fresh, empty index in <see cref="CreateIndexAsync"/>; every test here runs against it through the public API only.
/// </summary>
/// <remarks>
/// Owner keys are unique per test instance, so a backend whose "fresh" index shares a server still isolates tests.
/// Vectors come from the deterministic <see cref="HashingEmbeddingGenerator"/> or are written by hand (4 dimensions)
/// where a test needs exact similarities. Timestamps are whole milliseconds (the precision an index must keep).
/// Decisions this suite pins down for every backend:
/// <list type="bullet">
/// <item>A request with no keyword term and no query vector returns no hits (it is not an error).</item>
/// <item>Upserting a vector before <see cref="IMemoryIndex.EnsureEmbeddingModelAsync"/> throws
/// <see cref="InvalidOperationException"/>; a vector of another length than the recorded dimension, or a query vector of
/// another length, throws <see cref="EmbeddingModelMismatchException"/>; a refused batch stores nothing.</item>
/// <item>A ranking "runs" when it has input (terms, a vector) and a positive weight; an item ranked first by every
/// ranking that ran scores 1, and <see cref="MemoryHit.VectorSimilarity"/> is set for every hit with a vector when the
/// vector ranking ran.</item>
/// </list>
/// </remarks>
public abstract class MemoryIndexConformanceTests : IAsyncLifetime
{
    /// <summary>The embedder used for realistic vectors.</summary>
    protected static readonly HashingEmbeddingGenerator Embedder = new();

    /// <summary>A whole-millisecond base time.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private const string HandModel = "conformance-hand-vectors";
    private const int HandDimensions = 4;

    private readonly string _run = Guid.NewGuid().ToString("N")[..10];
    private IMemoryIndex? _index;

    /// <summary>Gets the index under test.</summary>
    protected IMemoryIndex Index => _index ?? throw new InvalidOperationException("The index is created in InitializeAsync.");

    /// <summary>Gets the first owner key of this test.</summary>
    protected string UserA => "alice-" + _run;

    /// <summary>Gets the second owner key of this test.</summary>
    protected string UserB => "bob-" + _run;

    /// <summary>Gets whether <see cref="IMemoryIndex.DeleteAsync(string, string, IReadOnlyList{string}, CancellationToken)"/> returns exact counts.</summary>
    protected virtual bool ExactDeleteCounts => true;

    /// <summary>Creates a fresh, empty index.</summary>
    /// <returns>The index.</returns>
    protected abstract Task<IMemoryIndex> CreateIndexAsync();

    /// <summary>Releases the index (disposes it when it is disposable).</summary>
    /// <param name="index">The index.</param>
    /// <returns>A task.</returns>
    protected virtual async Task DisposeIndexAsync(IMemoryIndex index)
    {
        switch (index)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => _index = await CreateIndexAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_index is not null)
        {
            await DisposeIndexAsync(_index);
        }
    }

    // ---------------------------------------------------------------- upsert / get / delete / count

    [Fact]
    public async Task UpsertAsync_SameIdTwice_KeepsOneItemWithTheLatestTextAndKeywords()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "The walrus sings opera at midnight")]);
        await Index.UpsertAsync([Item(UserA, "m1", "The penguin juggles oranges at noon")]);

        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserA)));
        var item = Assert.Single(await Index.GetAsync(UserA, MemoryCollections.Logs, ["m1"]));
        Assert.Equal("The penguin juggles oranges at noon", item.Text);
        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA), "walrus"));
        Assert.Equal("m1", Assert.Single(await KeywordSearchAsync(new MemoryFilter(UserA), "penguin")).Item.Id);
    }

    [Fact]
    public async Task UpsertAsync_SameIdTwiceInOneBatch_KeepsTheLastOneWithItsMetadata()
    {
        await UseEmbedderAsync();
        var first = Item(UserA, "m1", "The walrus sings opera at midnight");
        var last = Item(UserA, "m1", "The penguin juggles oranges at noon", session: "s2", type: "summary");
        await Index.UpsertAsync([first, last]);

        var item = Assert.Single(await Index.GetAsync(UserA, MemoryCollections.Logs, ["m1"]));
        Assert.Equal("The penguin juggles oranges at noon", item.Text);
        Assert.Equal("s2", item.SessionId);
        Assert.Equal("summary", item.Type);
        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA), "walrus"));
        Assert.Equal("m1", Assert.Single(await KeywordSearchAsync(new MemoryFilter(UserA) { SessionId = "s2" }, "penguin")).Item.Id);
    }

    [Fact]
    public async Task UpsertAsync_NewVector_VectorSearchUsesTheNewVector()
    {
        await Index.EnsureEmbeddingModelAsync(HandModel, HandDimensions);
        await Index.UpsertAsync([HandItem(UserA, "m1", "first", [1, 0, 0, 0]), HandItem(UserA, "m2", "second", [0, 1, 0, 0])]);
        await Index.UpsertAsync([HandItem(UserA, "m1", "first", [0, 0, 1, 0])]);

        var hits = await VectorSearchAsync(new MemoryFilter(UserA), [0, 0, 1, 0]);

        Assert.Equal("m1", hits[0].Item.Id);
        Assert.Equal(1.0, hits[0].VectorSimilarity!.Value, 3);
    }

    [Fact]
    public async Task UpsertAsync_EmptyBatch_DoesNothing()
    {
        await Index.UpsertAsync([]);

        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA)));
    }

    [Fact]
    public async Task GetAsync_StoredItem_ReturnsEveryField()
    {
        await UseEmbedderAsync();
        var created = T0.AddMilliseconds(1234);
        var stored = Item(UserA, "msg:42:0", "Remember: the boat is moored at pier 9", session: "sess-1", type: "summary", createdAt: created,
            payload: new Dictionary<string, string> { ["message_id"] = "42", ["role"] = "user", ["note"] = "ünïcødé \"quoted\" 🚤" });
        await Index.UpsertAsync([stored]);

        var item = Assert.Single(await Index.GetAsync(UserA, MemoryCollections.Logs, ["msg:42:0", "missing"]));

        Assert.Equal("msg:42:0", item.Id);
        Assert.Equal(MemoryCollections.Logs, item.Collection);
        Assert.Equal(UserA, item.UserId);
        Assert.Equal("sess-1", item.SessionId);
        Assert.Equal("summary", item.Type);
        Assert.Equal(stored.Text, item.Text);
        Assert.Equal(created, item.CreatedAt);
        Assert.Equal(stored.Payload.OrderBy(p => p.Key), item.Payload.OrderBy(p => p.Key));
        Assert.Equal(stored.Vector.Length, item.Vector.Length);
        for (var i = 0; i < stored.Vector.Length; i++)
        {
            Assert.Equal(stored.Vector.Span[i], item.Vector.Span[i], 5);
        }
    }

    [Fact]
    public async Task GetAsync_NullSessionAndNoVector_RoundTrips()
    {
        await Index.UpsertAsync([Item(UserA, "k1", "keyword only fact", session: null, withVector: false)]);

        var item = Assert.Single(await Index.GetAsync(UserA, MemoryCollections.Logs, ["k1"]));

        Assert.Null(item.SessionId);
        Assert.True(item.Vector.IsEmpty);
        Assert.Empty(item.Payload);
    }

    [Fact]
    public async Task GetAsync_OtherCollectionOrNoIds_FindsNothing()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "hello there")]);

        Assert.Empty(await Index.GetAsync(UserA, MemoryCollections.Knowledge, ["m1"]));
        Assert.Empty(await Index.GetAsync(UserA, MemoryCollections.Logs, []));
    }

    [Fact]
    public async Task UpsertAsync_SameIdInTwoCollections_KeepsBoth()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "x", "log text"), Item(UserA, "x", "memory text", collection: MemoryCollections.ModelMemory)]);

        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Equal("memory text", Assert.Single(await Index.GetAsync(UserA, MemoryCollections.ModelMemory, ["x"])).Text);
    }

    [Fact]
    public async Task DeleteAsync_ByIds_RemovesOnlyThoseEverywhere()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "alpha giraffe"), Item(UserA, "m2", "beta giraffe"), Item(UserA, "m3", "gamma giraffe")]);

        var deleted = await Index.DeleteAsync(UserA, MemoryCollections.Logs, ["m1", "m3", "unknown"]);

        if (ExactDeleteCounts)
        {
            Assert.Equal(2, deleted);
        }
        else
        {
            Assert.InRange(deleted, 0, 3);
        }

        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Empty(await Index.GetAsync(UserA, MemoryCollections.Logs, ["m1", "m3"]));
        var keywordHits = await KeywordSearchAsync(new MemoryFilter(UserA), "giraffe");
        Assert.Equal(["m2"], keywordHits.Select(h => h.Item.Id));
        var vectorHits = await VectorSearchAsync(new MemoryFilter(UserA), Embed("alpha giraffe"));
        Assert.Equal(["m2"], vectorHits.Select(h => h.Item.Id));
    }

    [Fact]
    public async Task DeleteAsync_ByFilterSession_RemovesOnlyThatSession()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "m1", "one", session: "s1"), Item(UserA, "m2", "two", session: "s2"), Item(UserA, "m3", "three", session: "s1")]);

        await Index.DeleteAsync(new MemoryFilter(UserA) { SessionId = "s1" });

        var page = await Index.ScrollAsync(new MemoryFilter(UserA));
        Assert.Equal(["m2"], page.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task DeleteAsync_ByFilterCollectionAndType_RemovesOnlyMatches()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync(
        [
            Item(UserA, "m1", "one", type: "message"),
            Item(UserA, "m2", "two", type: "summary"),
            Item(UserA, "f1", "three", type: "summary", collection: MemoryCollections.Knowledge),
        ]);

        await Index.DeleteAsync(new MemoryFilter(UserA) { Collections = [MemoryCollections.Logs], Types = ["summary"] });

        Assert.Equal(["f1", "m1"], (await Index.ScrollAsync(new MemoryFilter(UserA))).Items.Select(i => i.Id).Order());
        var gone = await KeywordSearchAsync(new MemoryFilter(UserA), "two");
        Assert.Empty(gone);
    }

    [Fact]
    public async Task CountAsync_Filters_CountOnlyMatches()
    {
        await SeedScopedCorpusAsync();

        Assert.Equal(5, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserA) { SessionId = "s1" }));
        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserA) { Collections = [MemoryCollections.ModelMemory] }));
        Assert.Equal(4, await Index.CountAsync(new MemoryFilter(UserA) { Collections = [MemoryCollections.Logs] }));
        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserA) { Types = ["summary"] }));
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserA) { From = T0.AddDays(1), To = T0.AddDays(3) }));
        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA) { SessionId = "nope" }));
        Assert.Equal(1, await Index.CountAsync(new MemoryFilter(UserB)));
    }

    // ---------------------------------------------------------------- scroll

    [Fact]
    public async Task ScrollAsync_SmallPages_CoverEveryItemExactlyOnce()
    {
        await UseEmbedderAsync();
        var ids = Enumerable.Range(0, 23).Select(i => $"item-{i:D2}").ToList();
        await Index.UpsertAsync(ids.Select(id => Item(UserA, id, "scroll text " + id)).ToList());
        await Index.UpsertAsync(Enumerable.Range(0, 5).Select(i => Item(UserB, $"item-{i:D2}", "other owner")).ToList());

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Index.ScrollAsync(new MemoryFilter(UserA), limit: 5, cursor: cursor);
            Assert.InRange(page.Items.Count, 0, 5);
            Assert.All(page.Items, i => Assert.Equal(UserA, i.UserId));
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
            Assert.True(++pages <= 10, "The scroll did not end.");
        }
        while (cursor is not null);

        Assert.Equal(ids, seen.Order());
    }

    [Fact]
    public async Task ScrollAsync_WithFilter_ReturnsOnlyMatches()
    {
        await SeedScopedCorpusAsync();

        var page = await Index.ScrollAsync(new MemoryFilter(UserA) { SessionId = "s1" }, limit: 100);

        Assert.Equal(["g1", "g3"], page.Items.Select(i => i.Id).Order());
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ScrollAsync_EmptyScope_ReturnsEmptyLastPage()
    {
        var page = await Index.ScrollAsync(new MemoryFilter(UserA));

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ScrollAsync_NonPositiveLimit_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Index.ScrollAsync(new MemoryFilter(UserA), limit: 0));
    }

    // ---------------------------------------------------------------- search

    [Fact]
    public async Task SearchAsync_KeywordOnly_FindsByWordWithRanksAndTopScoreOne()
    {
        await SeedEverydayCorpusAsync();

        var hits = await KeywordSearchAsync(new MemoryFilter(UserA), "When does the flight to Lisbon leave?");

        Assert.NotEmpty(hits);
        Assert.Equal("e4", hits[0].Item.Id);
        Assert.Equal(1, hits[0].KeywordRank);
        Assert.Equal(1.0, hits[0].Score, 6);
        Assert.All(hits, h => Assert.Null(h.VectorSimilarity));
        Assert.Equal(Enumerable.Range(1, hits.Count), hits.Select(h => h.KeywordRank!.Value));
        Assert.Equal("Our flight to Lisbon departs at seven thirty.", hits[0].Item.Text);
    }

    [Fact]
    public async Task SearchAsync_VectorOnly_FindsClosestTextWithoutSharedKeywords()
    {
        await SeedEverydayCorpusAsync();

        // "flights departing" shares no whole word with the stored sentence but shares word pieces.
        var hits = await VectorSearchAsync(new MemoryFilter(UserA), Embed("flights departing lisbon"));

        Assert.Equal("e4", hits[0].Item.Id);
        Assert.Null(hits[0].KeywordRank);
        Assert.Equal(1.0, hits[0].Score, 6);
        Assert.InRange(hits[0].VectorSimilarity!.Value, 0.1, 1.0);
        Assert.True(hits.Count < 2 || hits[0].VectorSimilarity > hits[1].VectorSimilarity);
    }

    [Fact]
    public async Task SearchAsync_Hybrid_ItemFoundByBothRankingsComesFirst()
    {
        await SeedHandCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "apple", QueryVector = new float[] { 1, 0, 0, 0 } });

        Assert.Equal("both", hits[0].Item.Id);
        Assert.NotNull(hits[0].KeywordRank);
        Assert.NotNull(hits[0].VectorSimilarity);
        Assert.InRange(hits[0].Score, 0.9, 1.0);

        var keywordOnly = Assert.Single(hits, h => h.Item.Id == "k1");
        Assert.NotNull(keywordOnly.KeywordRank);
        Assert.Null(keywordOnly.VectorSimilarity);
        var vectorOnly = Assert.Single(hits, h => h.Item.Id == "v1");
        Assert.Null(vectorOnly.KeywordRank);
        Assert.Equal(1.0, vectorOnly.VectorSimilarity!.Value, 4);
        Assert.InRange(keywordOnly.Score, 0.4, 0.6);
        Assert.InRange(vectorOnly.Score, 0.4, 0.6);

        Assert.All(hits, h => Assert.InRange(h.Score, 0.0, 1.0));
        Assert.Equal(hits.Select(h => h.Score).OrderDescending(), hits.Select(h => h.Score));
        Assert.All(hits.Where(h => !h.Item.Vector.IsEmpty), h => Assert.NotNull(h.VectorSimilarity));
    }

    [Fact]
    public async Task SearchAsync_ItemFirstInBothRankings_ScoresOne()
    {
        await SeedHandCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "durian", QueryVector = new float[] { 0, 1, 0, 0 } });

        Assert.Equal("d1", hits[0].Item.Id);
        Assert.Equal(1.0, hits[0].Score, 6);
    }

    [Fact]
    public async Task SearchAsync_VectorWeightZero_RunsOnlyTheKeywordRanking()
    {
        await SeedHandCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA))
        {
            QueryText = "apple",
            QueryVector = new float[] { 1, 0, 0, 0 },
            VectorWeight = 0,
        });

        Assert.Equal(["both", "k1"], hits.Select(h => h.Item.Id).Order());
        Assert.All(hits, h => Assert.Null(h.VectorSimilarity));
        Assert.Equal(1.0, hits[0].Score, 6);
    }

    [Fact]
    public async Task SearchAsync_Top_LimitsHitsToTheBest()
    {
        await SeedHandCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "apple", QueryVector = new float[] { 1, 0, 0, 0 }, Top = 1 });

        Assert.Equal("both", Assert.Single(hits).Item.Id);
    }

    [Fact]
    public async Task SearchAsync_MinScore_DropsWeakerHits()
    {
        await SeedHandCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "apple", QueryVector = new float[] { 1, 0, 0, 0 }, MinScore = 0.9 });

        Assert.Equal("both", Assert.Single(hits).Item.Id);
    }

    [Fact]
    public async Task SearchAsync_SessionFilter_AppliesToBothRankings()
    {
        await SeedScopedCorpusAsync();
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { SessionId = "s1" }, ["g1", "g3"]);
    }

    [Fact]
    public async Task SearchAsync_CollectionFilter_AppliesToBothRankings()
    {
        await SeedScopedCorpusAsync();
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { Collections = [MemoryCollections.ModelMemory] }, ["g4"]);
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { Collections = [MemoryCollections.ModelMemory, MemoryCollections.Knowledge] }, ["g4"]);
    }

    [Fact]
    public async Task SearchAsync_TypeFilter_AppliesToBothRankings()
    {
        await SeedScopedCorpusAsync();
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { Types = ["summary"] }, ["g3"]);
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { Types = ["summary", "memory"] }, ["g3", "g4"]);
    }

    [Fact]
    public async Task SearchAsync_TimeRange_FromInclusiveToExclusive()
    {
        await SeedScopedCorpusAsync();
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { From = T0.AddDays(1), To = T0.AddDays(3) }, ["g2", "g3"]);
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { From = T0.AddDays(3) }, ["g4", "g5"]);
        await AssertSearchIdsAsync(new MemoryFilter(UserA) { To = T0.AddDays(1) }, ["g1"]);
    }

    [Fact]
    public async Task SearchAsync_NothingMatches_ReturnsNoHits()
    {
        await SeedEverydayCorpusAsync();

        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA), "xylophone"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("?!... ---")]
    [InlineData("🎉🦓")]
    public async Task SearchAsync_NoTermsAndNoVector_ReturnsNoHits(string? text)
    {
        await SeedEverydayCorpusAsync();

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = text });

        Assert.Empty(hits);
    }

    [Theory]
    [InlineData("\"", false)]
    [InlineData("\"unterminated zebra", true)]
    [InlineData("zebra\" OR \"x", true)]
    [InlineData("NEAR(zebra giraffe, 2)", true)]
    [InlineData("zebra*", true)]
    [InlineData("*", false)]
    [InlineData("-zebra", true)]
    [InlineData("NOT zebra", true)]
    [InlineData("AND", false)]
    [InlineData("OR OR OR", false)]
    [InlineData("zebra AND", true)]
    [InlineData("((zebra", true)]
    [InlineData(")", false)]
    [InlineData("text:zebra", true)]
    [InlineData("^zebra", true)]
    [InlineData("{text} : zebra", true)]
    [InlineData("'; DROP TABLE memory_items; --", false)]
    [InlineData("zebra'); DELETE FROM memory_items; --", true)]
    [InlineData("🦓 zebra 🎉", true)]
    [InlineData("zebra\0null", true)]
    [InlineData("\\ % _ [zebra]", true)]
    [InlineData("\u200Bzebra\u200B", true)]
    public async Task SearchAsync_QueryWithQuerySyntax_IsTreatedAsPlainWords(string text, bool findsZebra)
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA, "z", "Zebra, giraffe: savanna neighbours"), Item(UserA, "o", "Nothing special here")]);

        var hits = await KeywordSearchAsync(new MemoryFilter(UserA), text);

        Assert.Equal(findsZebra, hits.Any(h => h.Item.Id == "z"));
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserA)));
    }

    [Fact]
    public async Task SearchAsync_KeywordOnlyItemsWithoutEmbeddingModel_AreFoundByKeywords()
    {
        await Index.UpsertAsync([Item(UserA, "k1", "octopus garden", withVector: false)]);

        var hits = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "octopus" });

        Assert.Equal("k1", Assert.Single(hits).Item.Id);
    }

    // ---------------------------------------------------------------- owner isolation

    [Fact]
    public async Task OwnerIsolation_IdenticalIdsAndText_NeverCrossOwners()
    {
        await UseEmbedderAsync();
        string[] texts = ["My bank PIN hint is the name of my first cat", "I live at 12 Baker Street"];
        foreach (var user in new[] { UserA, UserB })
        {
            await Index.UpsertAsync([Item(user, "m1", texts[0], session: "shared"), Item(user, "m2", texts[1], session: "shared")]);
        }

        var filterA = new MemoryFilter(UserA) { SessionId = "shared" };
        var hits = await Index.SearchAsync(new MemorySearchRequest(filterA) { QueryText = "bank PIN cat Baker", QueryVector = Embed(texts[0]) });
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Equal(UserA, h.Item.UserId));
        Assert.All(await Index.GetAsync(UserA, MemoryCollections.Logs, ["m1", "m2"]), i => Assert.Equal(UserA, i.UserId));
        Assert.All((await Index.ScrollAsync(new MemoryFilter(UserA))).Items, i => Assert.Equal(UserA, i.UserId));
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserA)));

        await Index.UpsertAsync([Item(UserA, "m1", "A changed its mind", session: "shared")]);
        Assert.Equal(texts[0], Assert.Single(await Index.GetAsync(UserB, MemoryCollections.Logs, ["m1"])).Text);

        await Index.DeleteAsync(UserA, MemoryCollections.Logs, ["m1"]);
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserB)));

        await Index.DeleteAsync(new MemoryFilter(UserA));
        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Equal(2, await Index.CountAsync(new MemoryFilter(UserB)));
        var hitsB = await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserB)) { QueryText = "bank PIN", QueryVector = Embed(texts[0]) });
        Assert.Equal("m1", hitsB[0].Item.Id);
        Assert.All(hitsB, h => Assert.Equal(UserB, h.Item.UserId));
        Assert.Empty(await Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "bank PIN", QueryVector = Embed(texts[0]) }));
    }

    [Fact]
    public async Task OwnerIsolation_OwnerKeyPrefixOfAnother_DoesNotMatch()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync([Item(UserA + "x", "m1", "prefix owner secret"), Item(UserA.ToUpperInvariant(), "m2", "upper owner secret")]);

        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA)));
        Assert.Empty(await KeywordSearchAsync(new MemoryFilter(UserA), "secret"));
        Assert.Empty(await VectorSearchAsync(new MemoryFilter(UserA), Embed("prefix owner secret")));
    }

    // ---------------------------------------------------------------- embedding model

    [Fact]
    public async Task EnsureEmbeddingModelAsync_SameModelAgain_Succeeds()
    {
        await UseEmbedderAsync();
        await UseEmbedderAsync();
    }

    [Fact]
    public async Task EnsureEmbeddingModelAsync_OtherModelId_ThrowsMismatch()
    {
        await UseEmbedderAsync();

        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => Index.EnsureEmbeddingModelAsync("other-model", Embedder.Dimensions));

        Assert.Equal(Embedder.ModelId, error.ExpectedModelId);
        Assert.Equal("other-model", error.ActualModelId);
    }

    [Fact]
    public async Task EnsureEmbeddingModelAsync_OtherDimensions_ThrowsMismatch()
    {
        await UseEmbedderAsync();

        var error = await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => Index.EnsureEmbeddingModelAsync(Embedder.ModelId, 384));

        Assert.Equal(Embedder.Dimensions, error.ExpectedDimensions);
        Assert.Equal(384, error.ActualDimensions);
    }

    [Fact]
    public async Task UpsertAsync_VectorOfOtherLength_ThrowsMismatchAndStoresNothing()
    {
        await UseEmbedderAsync();

        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() => Index.UpsertAsync(
        [
            Item(UserA, "ok", "fine"),
            new MemoryItem { Id = "bad", Collection = MemoryCollections.Logs, UserId = UserA, Text = "short vector", Vector = new float[] { 1, 2, 3 }, CreatedAt = T0 },
        ]));

        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA)));
    }

    [Fact]
    public async Task UpsertAsync_VectorBeforeEmbeddingModelIsRecorded_ThrowsInvalidOperation()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Index.UpsertAsync([Item(UserA, "m1", "has a vector")]));

        Assert.Equal(0, await Index.CountAsync(new MemoryFilter(UserA)));
    }

    [Fact]
    public async Task SearchAsync_QueryVectorOfOtherLength_ThrowsMismatch()
    {
        await SeedEverydayCorpusAsync();

        await Assert.ThrowsAsync<EmbeddingModelMismatchException>(() =>
            Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA)) { QueryText = "lisbon", QueryVector = new float[] { 1, 0, 0 } }));
    }

    // ---------------------------------------------------------------- validation

    [Fact]
    public async Task UpsertAsync_UnknownCollection_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.UpsertAsync([Item(UserA, "m1", "x", collection: "nope", withVector: false)]));
    }

    [Fact]
    public async Task UpsertAsync_NonFiniteVector_Throws()
    {
        await Index.EnsureEmbeddingModelAsync(HandModel, HandDimensions);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.UpsertAsync([HandItem(UserA, "m1", "x", [float.NaN, 0, 0, 0])]));
    }

    [Fact]
    public async Task CountAsync_UnknownCollectionInFilter_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.CountAsync(new MemoryFilter(UserA) { Collections = ["nope"] }));
    }

    [Fact]
    public async Task CountAsync_EmptyTimeRange_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.CountAsync(new MemoryFilter(UserA) { From = T0, To = T0 }));
    }

    [Theory]
    [InlineData(0, 0.0, 4, 60)]
    [InlineData(10, 1.5, 4, 60)]
    [InlineData(10, -0.1, 4, 60)]
    [InlineData(10, 0.0, 0, 60)]
    [InlineData(10, 0.0, 4, -1)]
    public async Task SearchAsync_InvalidRequest_ThrowsArgumentOutOfRange(int top, double minScore, int multiplier, int rrfK)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA))
        {
            QueryText = "x",
            Top = top,
            MinScore = minScore,
            CandidateMultiplier = multiplier,
            RrfK = rrfK,
        }));
    }

    [Fact]
    public async Task SearchAsync_AllWeightsZero_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Index.SearchAsync(new MemorySearchRequest(new MemoryFilter(UserA))
        {
            QueryText = "x",
            KeywordWeight = 0,
            VectorWeight = 0,
        }));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Records the hashing embedder's model in the index.</summary>
    /// <returns>A task.</returns>
    protected Task UseEmbedderAsync() => Index.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions);

    /// <summary>Embeds a text with the hashing embedder.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The vector.</returns>
    protected static float[] Embed(string text)
    {
        var vector = new float[Embedder.Dimensions];
        Embedder.Embed(text, vector);
        return vector;
    }

    /// <summary>Creates an item with an embedder vector (unless <paramref name="withVector"/> is false).</summary>
    protected static MemoryItem Item(
        string user, string id, string text, string? session = "s1", string type = "message", string collection = MemoryCollections.Logs,
        DateTimeOffset? createdAt = null, bool withVector = true, Dictionary<string, string>? payload = null) => new()
        {
            Id = id,
            Collection = collection,
            UserId = user,
            SessionId = session,
            Type = type,
            Text = text,
            Vector = withVector ? Embed(text) : ReadOnlyMemory<float>.Empty,
            CreatedAt = createdAt ?? T0,
            Payload = payload ?? new Dictionary<string, string>(),
        };

    /// <summary>Runs a keyword-only search.</summary>
    protected Task<IReadOnlyList<MemoryHit>> KeywordSearchAsync(MemoryFilter filter, string? text, int top = 10) =>
        Index.SearchAsync(new MemorySearchRequest(filter) { QueryText = text, Top = top });

    /// <summary>Runs a vector-only search.</summary>
    protected Task<IReadOnlyList<MemoryHit>> VectorSearchAsync(MemoryFilter filter, float[] vector, int top = 10) =>
        Index.SearchAsync(new MemorySearchRequest(filter) { QueryVector = vector, Top = top });

    private static MemoryItem HandItem(string user, string id, string text, float[]? vector) => new()
    {
        Id = id,
        Collection = MemoryCollections.Logs,
        UserId = user,
        SessionId = "s1",
        Text = text,
        Vector = vector ?? ReadOnlyMemory<float>.Empty,
        CreatedAt = T0,
    };

    private async Task SeedHandCorpusAsync()
    {
        await Index.EnsureEmbeddingModelAsync(HandModel, HandDimensions);
        await Index.UpsertAsync(
        [
            HandItem(UserA, "k1", "apple apple apple", null),
            HandItem(UserA, "both", "apple banana", [0.9f, 0.1f, 0, 0]),
            HandItem(UserA, "v1", "cherry", [1, 0, 0, 0]),
            HandItem(UserA, "d1", "durian", [0, 1, 0, 0]),
            HandItem(UserA, "e1", "elderberry", [0, 0, 0, 1]),
            HandItem(UserB, "top", "apple apple", [1, 0, 0, 0]),
        ]);
    }

    private async Task SeedEverydayCorpusAsync()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync(
        [
            Item(UserA, "e1", "My dog Biscuit loves chasing tennis balls in the park."),
            Item(UserA, "e2", "The quarterly budget review is scheduled for Thursday afternoon."),
            Item(UserA, "e3", "I prefer green tea over coffee in the morning."),
            Item(UserA, "e4", "Our flight to Lisbon departs at seven thirty."),
            Item(UserA, "e5", "The recipe needs two cups of flour and a pinch of salt."),
            Item(UserB, "e4", "Our flight to Lisbon departs at seven thirty."),
        ]);
    }

    private async Task SeedScopedCorpusAsync()
    {
        await UseEmbedderAsync();
        await Index.UpsertAsync(
        [
            Item(UserA, "g1", "Planning the garden: tomatoes and basil", session: "s1", createdAt: T0),
            Item(UserA, "g2", "The garden shed needs new paint", session: "s2", createdAt: T0.AddDays(1)),
            Item(UserA, "g3", "Summary: garden planning with tomatoes", session: "s1", type: "summary", createdAt: T0.AddDays(2)),
            Item(UserA, "g4", "User loves gardening and the garden", session: null, type: "memory", collection: MemoryCollections.ModelMemory, createdAt: T0.AddDays(3)),
            Item(UserA, "g5", "Garden party invitation for Sunday", session: "s3", createdAt: T0.AddDays(4)),
            Item(UserB, "g1", "Planning the garden: tomatoes and basil", session: "s1", createdAt: T0),
        ]);
    }

    private async Task AssertSearchIdsAsync(MemoryFilter filter, string[] expected)
    {
        var keyword = await KeywordSearchAsync(filter, "garden", top: 20);
        Assert.Equal(expected, keyword.Select(h => h.Item.Id).Order());
        var vector = await VectorSearchAsync(filter, Embed("garden"), top: 20);
        Assert.Equal(expected, vector.Select(h => h.Item.Id).Order());
        var hybrid = await Index.SearchAsync(new MemorySearchRequest(filter) { QueryText = "garden", QueryVector = Embed("garden"), Top = 20 });
        Assert.Equal(expected, hybrid.Select(h => h.Item.Id).Order());
        Assert.All(hybrid, h => Assert.Equal(UserA, h.Item.UserId));
    }
}
