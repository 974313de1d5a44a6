using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Storage;

/// <summary>
/// The migration of a database made by the release before owner identity became injective (schema version 3,
/// Fixtures/schema-v3.db, made by tests/Tools/make-schema-v3-fixture.cs). It holds user alice, anonymous session
/// "anon1" ("My bank PIN is 4321") and a user whose id is "session:anon1": under the old owner keys the last two shared
/// one owner, so that user could read the anonymous session's PIN.
/// </summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "longmemory-tests", Guid.NewGuid().ToString("N"));

    public SchemaMigrationTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Migrate_SchemaV3Database_KeepsEveryRow()
    {
        var path = CopyFixture();
        var before = Counts(path);

        await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();
        await memory.StartAsync();

        Assert.Equal(SqliteMemoryDatabase.SchemaVersion, Scalar(path, "PRAGMA user_version;"));
        Assert.Equal(before, Counts(path));
        Assert.Equal(26, before["messages"]);
        var alice = memory.ForScope(MemoryScope.For("alice", "a1"));
        Assert.Equal(24, (await alice.GetMessagesAsync()).Count);
        Assert.Single(await alice.GetSummariesAsync());
        Assert.Contains(await alice.GetKnowledgeAsync(), k => k.Key == "favorite_food" && k.Value == "bacalhau");
        Assert.Equal(["Alice prefers window seats."], (await alice.GetModelMemoryAsync()).Select(m => m.Content));
        Assert.Contains(await alice.RecallAsync("where do I live"), h => h.Text.Contains("Lisbon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migrate_SchemaV3Database_SeparatesTheCollidingOwners()
    {
        var path = CopyFixture();
        await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();

        var anonymous = memory.ForScope(MemoryScope.ForSession("anon1"));
        var mallory = memory.ForScope(MemoryScope.For("session:anon1", "evil"));

        Assert.Equal(["bank_pin"], (await anonymous.GetKnowledgeAsync()).Select(k => k.Key));
        Assert.Equal(["The visitor's bank PIN is 4321."], (await anonymous.GetModelMemoryAsync()).Select(m => m.Content));
        Assert.Equal(["planet"], (await mallory.GetKnowledgeAsync()).Select(k => k.Key));
        Assert.Equal(["Mallory collects red rocks."], (await mallory.GetModelMemoryAsync()).Select(m => m.Content));
        Assert.DoesNotContain(await mallory.RecallAsync("bank PIN 4321"), h => h.Text.Contains("4321", StringComparison.Ordinal));
        Assert.DoesNotContain(await memory.ForScope(MemoryScope.ForUser("session:anon1")).RecallAsync("bank PIN 4321"), h => h.Text.Contains("4321", StringComparison.Ordinal));
        Assert.Contains(await anonymous.RecallAsync("bank PIN"), h => h.Text.Contains("4321", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migrate_SchemaV3Database_NewWritesCannotCollideAgain()
    {
        var path = CopyFixture();
        await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();

        // The attack of the old schema, replayed after migration: a user named after the anonymous session's owner key.
        var attacker = await memory.CreateSessionAsync("session:anon1", "probe", "anon1");
        await memory.ForScope(attacker.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "What is my bank PIN?")]);

        var recalled = await memory.ForScope(attacker.Scope).RecallAsync("bank PIN");
        Assert.DoesNotContain(recalled, h => h.Text.Contains("4321", StringComparison.Ordinal));
        Assert.Equal(["My bank PIN is 4321."], (await memory.ForScope(MemoryScope.ForSession("anon1")).GetMessagesAsync()).Select(m => m.Content));
    }

    private string CopyFixture()
    {
        var path = Path.Combine(_folder, "memory.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "schema-v3.db"), path);
        return path;
    }

    private static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, long> Counts(string path)
        => new[] { "sessions", "messages", "summaries", "knowledge_entries", "model_memory", "memory_items" }
            .ToDictionary(t => t, t => Scalar(path, $"SELECT count(*) FROM {t};"));
}
