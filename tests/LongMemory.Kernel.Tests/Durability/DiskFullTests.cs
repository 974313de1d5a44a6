using LongMemory.Kernel.Tests.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>
/// A full disk, made deterministic with <c>PRAGMA max_page_count</c> on every connection of the database: failed calls
/// say what failed and where, a retry with the same message ids stores each message once, and the outbox is worked off
/// once space is back, without a restart.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lm-full-" + Guid.NewGuid().ToString("N"));

    public DiskFullTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task AddMessagesAsync_DiskFullThenRetriedWithSameIds_StoredOnceAndIndexedWithoutRestart()
    {
        var path = Path.Combine(_folder, "full.db");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        SqliteMemoryDatabase? database = null;
        await using var memory = new ChatMemoryBuilder()
            .UseSqlite(path)
            .UseTimeProvider(clock)
            .UseMemoryIndex(d => new SqliteMemoryIndex(database = d))
            .Build();
        var scope = new MemoryScope("alice", "s1");
        await memory.GetOrCreateSessionAsync(scope);
        var scoped = memory.ForScope(scope);
        await scoped.AddMessagesAsync([new ChatMessage(ChatRole.User, "hello") { MessageId = "warmup" }]);
        Assert.NotNull(database);

        // Cap the file a few pages above its size, then write until the disk is "full", at several cap sizes so that
        // failures land both in the append and in the indexing after the append committed.
        var failed = new List<ChatMessage>();
        var errors = new List<string>();
        var sent = 0;
        for (var margin = 0; margin < 12; margin++)
        {
            database!.MaxPageCount = PageCount(path) + margin;
            for (var i = 0; i < 40; i++)
            {
                var message = Message(sent++);
                try
                {
                    await scoped.AddMessagesAsync([message]);
                }
                catch (LongMemoryStoreException ex)
                {
                    failed.Add(message);
                    errors.Add(ex.Message);
                    break;
                }
            }

            database.MaxPageCount = null;
            await scoped.AddMessagesAsync([Message(sent++)]);
        }

        Assert.NotEmpty(failed);
        Assert.All(errors, e => Assert.Contains(path, e, StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("full", e, StringComparison.Ordinal));

        // The error names what the caller asked for (storing the messages), not an internal step after the commit
        // (it once said "failed to mark messages failed" after the message had been stored).
        Assert.All(errors, e => Assert.StartsWith("SQLite failed to append messages in ", e, StringComparison.Ordinal));

        // Space is back: the app retries the failed calls with the same message ids.
        foreach (var message in failed)
        {
            await scoped.AddMessagesAsync([message]);
        }

        var stored = await scoped.GetMessagesAsync();
        var copies = stored.GroupBy(m => m.ResponseId).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(copies.Count == 0, $"{failed.Count} calls failed with a full disk ({string.Join(" | ", errors.Distinct())}); after the retry these are stored more than once: {string.Join(", ", copies)}");
        Assert.Equal(sent + 1, stored.Count);

        // The outbox is worked off without a restart: whatever failed is due after its back-off.
        clock.Advance(TimeSpan.FromHours(1));
        await memory.ProcessIndexBacklogAsync();
        await memory.WhenIdleAsync();
        var status = await memory.GetIndexStatusAsync();
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.Failed);
        Assert.Equal(stored.Count, status.Indexed);
        Assert.Equal("ok", DurabilityAssertions.IntegrityCheck(path));
    }

    private static ChatMessage Message(int i)
        => new(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, string.Join(' ', Enumerable.Range(0, 120).Select(w => $"word{i}x{w}"))) { MessageId = "d" + i };

    private static long PageCount(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count;";
        return (long)command.ExecuteScalar()!;
    }
}
