using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel.Tests.Recall;

/// <summary>
/// The SQLite index ranks keyword matches with statistics of the searching owner only (schema migration 7): another
/// owner's writes, updates and deletes cannot change a user's keyword results, their order or their scores.
/// </summary>
public sealed class SqliteKeywordStatisticsTests : IDisposable
{
    private const string Alice = "user:alice";
    private const string Bob = "user:bob";
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Filler = ["meeting", "weather", "garden", "coffee", "train", "holiday", "music", "lunch", "email", "office"];

    private readonly TempDatabase _temp = new();

    public void Dispose()
    {
        _temp.Dispose();
    }

    [Fact(Timeout = 300_000)]
    public async Task SearchAsync_OtherOwnerWritesUpdatesAndDeletes3000RowsWithTheQueryWords_SameHitsOrderAndScores()
    {
        var index = new SqliteMemoryIndex(_temp.Database);
        await index.UpsertAsync(AliceItems(120));
        string[] queries = ["budget alpha invoice", "invoice", "alpha coffee", "budget garden holiday"];
        var before = await SearchAllAsync(index, queries);
        Assert.All(before, hits => Assert.NotEmpty(hits));

        // 3,000 rows holding every query word, of both short and long lengths: under table-wide statistics "budget" and
        // "invoice" become common (dropped from queries) and the average length moves.
        var random = new Random(7);
        var bobItems = Enumerable.Range(0, 3000).Select(i => Item(Bob, "b" + i, string.Join(' ',
            Enumerable.Repeat("budget", 1 + random.Next(4)).Concat(["invoice", i % 3 == 0 ? "alpha" : "garden"])
                .Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => Filler[random.Next(Filler.Length)]))),
            session: "b" + (i % 2))).ToList();
        foreach (var batch in bobItems.Chunk(500))
        {
            await index.UpsertAsync(batch);
        }

        AssertSame(before, await SearchAllAsync(index, queries));

        await index.UpsertAsync(bobItems.Take(1000).Select(i => Item(Bob, i.Id, "alpha alpha holiday " + i.Text, session: i.SessionId)).ToList());
        AssertSame(before, await SearchAllAsync(index, queries));

        await index.DeleteAsync(Bob, MemoryCollections.Logs, bobItems.Skip(1000).Take(1000).Select(i => i.Id).ToList());
        await index.DeleteAsync(new MemoryFilter(Bob) { SessionId = "b0" });
        AssertSame(before, await SearchAllAsync(index, queries));
    }

    [Fact(Timeout = 120_000)]
    public async Task SearchAsync_WordCommonOnlyInAnotherOwnersRows_StillRanksTheOwnersRows()
    {
        var index = new SqliteMemoryIndex(_temp.Database);
        var alice = AliceItems(120);
        alice.Add(Item(Alice, "marathon", "my marathon training plan"));
        await index.UpsertAsync(alice);
        await index.UpsertAsync(Enumerable.Range(0, 3000).Select(i => Item(Bob, "b" + i, "marathon marathon results " + i)).ToList());

        var hits = await index.SearchAsync(new MemorySearchRequest(new MemoryFilter(Alice)) { QueryText = "marathon lunch", Top = 1 });

        Assert.Equal(["marathon"], hits.Select(h => h.Item.Id));
    }

    [Fact(Timeout = 120_000)]
    public async Task Statistics_AfterUpsertsUpdatesAndDeletesOfTwoOwners_EqualARecountOfTheItems()
    {
        var index = new SqliteMemoryIndex(_temp.Database);
        var random = new Random(3);
        for (var round = 0; round < 20; round++)
        {
            var owner = round % 2 == 0 ? Alice : Bob;
            var collection = round % 3 == 0 ? MemoryCollections.Knowledge : MemoryCollections.Logs;
            await index.UpsertAsync(Enumerable.Range(0, 20).Select(i => Item(owner, "i" + random.Next(40),
                string.Join(' ', Enumerable.Range(0, random.Next(0, 12)).Select(_ => Filler[random.Next(Filler.Length)] + (random.Next(3) == 0 ? "É" : ""))),
                session: "s" + random.Next(3), collection: collection)).ToList());
            if (round % 4 == 3)
            {
                await index.DeleteAsync(owner, collection, Enumerable.Range(0, 10).Select(_ => "i" + random.Next(40)).ToList());
                await index.DeleteAsync(new MemoryFilter(owner) { SessionId = "s" + random.Next(3), Collections = [collection] });
            }
        }

        await AssertStatisticsMatchItemsAsync(_temp.Path);
    }

    [Fact(Timeout = 120_000)]
    public async Task Migrate_SchemaV3Database_BuildsTheStatisticsOfEveryExistingItem()
    {
        var path = Path.Combine(Path.GetDirectoryName(_temp.Path)!, "v3.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "schema-v3.db"), path);
        using var database = new SqliteMemoryDatabase(path);
        await using (await database.OpenConnectionAsync())
        {
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM memory_items") > 0);
            Assert.Equal(await ScalarAsync(connection, "SELECT count(*) FROM memory_items"), await ScalarAsync(connection, "SELECT count(*) FROM memory_item_terms"));
        }

        await AssertStatisticsMatchItemsAsync(path);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void Analyze_CaseAndAccentVariants_CountAsTheQueryTerm()
    {
        var (length, terms, repeats) = KeywordStatistics.Analyze("Café, CAFE\u0301 and cafe; the tea, the end");

        Assert.Equal(8, length);
        var keys = JsonSerializer.Deserialize<long[]>(terms)!;
        Assert.Equal(5, keys.Length);
        Assert.Contains(KeywordStatistics.TermKey("cafe"), keys);
        Assert.Equal(KeywordStatistics.TermKey("café"), KeywordStatistics.TermKey("cafe"));
        // Only words other than stop words are kept with their counts ("the" repeats too).
        Assert.Equal([[KeywordStatistics.TermKey("cafe"), 3]], JsonSerializer.Deserialize<long[][]>(repeats!)!);
    }

    private static List<MemoryItem> AliceItems(int count)
    {
        var random = new Random(42);
        var items = new List<MemoryItem>();
        for (var n = 0; n < count; n++)
        {
            var words = new List<string> { "alice" + n.ToString(CultureInfo.InvariantCulture) };
            words.AddRange(Enumerable.Repeat("budget", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("alpha", random.Next(0, 3)));
            words.AddRange(Enumerable.Repeat("invoice", random.Next(0, 2)));
            words.AddRange(Enumerable.Range(0, random.Next(2, 12)).Select(_ => Filler[random.Next(Filler.Length)]));
            items.Add(Item(Alice, "a" + n.ToString(CultureInfo.InvariantCulture), string.Join(' ', words.OrderBy(_ => random.Next())), session: "a" + (n % 3)));
        }

        return items;
    }

    private static MemoryItem Item(string user, string id, string text, string? session = "s1", string collection = MemoryCollections.Logs) => new()
    {
        Id = id,
        Collection = collection,
        UserId = user,
        SessionId = session,
        Type = "message",
        Text = text,
        CreatedAt = T0,
    };

    private static async Task<List<List<(string Id, double Score, int? Rank)>>> SearchAllAsync(SqliteMemoryIndex index, string[] queries)
    {
        var results = new List<List<(string, double, int?)>>();
        foreach (var query in queries)
        {
            foreach (var filter in new[] { new MemoryFilter(Alice), new MemoryFilter(Alice) { SessionId = "a1" }, new MemoryFilter(Alice) { Types = ["message"] } })
            {
                var hits = await index.SearchAsync(new MemorySearchRequest(filter) { QueryText = query, Top = 50 });
                results.Add(hits.Select(h => (h.Item.Id, h.Score, h.KeywordRank)).ToList());
            }
        }

        return results;
    }

    private static void AssertSame(List<List<(string Id, double Score, int? Rank)>> expected, List<List<(string Id, double Score, int? Rank)>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    // Recounts document frequencies and lengths from the texts in memory_items and compares them with the tables.
    private static async Task AssertStatisticsMatchItemsAsync(string path)
    {
        var expectedTerms = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var expectedScopes = new SortedDictionary<string, (long, long)>(StringComparer.Ordinal);
        var actualTerms = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var actualScopes = new SortedDictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, collection, text FROM memory_items;";
            using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var scope = reader.GetString(0) + "|" + reader.GetString(1);
                var (length, terms, _) = KeywordStatistics.Analyze(reader.GetString(2));
                foreach (var term in JsonSerializer.Deserialize<long[]>(terms)!)
                {
                    var key = scope + "|" + term.ToString(CultureInfo.InvariantCulture);
                    expectedTerms[key] = expectedTerms.GetValueOrDefault(key) + 1;
                }

                var (documents, tokens) = expectedScopes.GetValueOrDefault(scope);
                expectedScopes[scope] = (documents + 1, tokens + length);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, collection, term, documents FROM memory_term_stats;";
            using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                actualTerms[reader.GetString(0) + "|" + reader.GetString(1) + "|" + reader.GetInt64(2).ToString(CultureInfo.InvariantCulture)] = reader.GetInt64(3);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT user_id, collection, documents, tokens FROM memory_scope_stats;";
            using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                actualScopes[reader.GetString(0) + "|" + reader.GetString(1)] = (reader.GetInt64(2), reader.GetInt64(3));
            }
        }

        Assert.NotEmpty(expectedTerms);
        Assert.Equal(expectedTerms, actualTerms);
        Assert.Equal(expectedScopes, actualScopes);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
