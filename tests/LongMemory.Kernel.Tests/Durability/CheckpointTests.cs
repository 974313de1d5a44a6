using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>
/// Checkpoints that cannot complete (a read transaction held open on another connection pins the log) are surfaced:
/// a warning with counts, the storage status, and writes refused past a configured bound.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lm-ckpt-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task AddMessagesAsync_ReaderPinsTheLog_CheckpointFailuresLoggedShownAndWritesRefusedPastBound()
    {
        var path = Path.Combine(_folder, "pinned.db");
        var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        SqliteMemoryDatabase? database = null;
        await using var memory = new ChatMemoryBuilder()
            .UseSqlite(path)
            .UseLoggerFactory(loggerFactory)
            .UseMemoryIndex(d => new SqliteMemoryIndex(database = d))
            .Build();
        var scope = new MemoryScope("alice", "s1");
        await memory.GetOrCreateSessionAsync(scope);
        var scoped = memory.ForScope(scope);
        database!.CheckpointInterval = 1;
        await scoped.AddMessagesAsync([new ChatMessage(ChatRole.User, "first")]);

        var healthy = await memory.GetStorageStatusAsync();
        Assert.NotNull(healthy);
        Assert.True(healthy.LastCheckpointSucceeded);
        Assert.Equal(0, healthy.ConsecutiveCheckpointFailures);

        // A reader that keeps its snapshot: nothing written after it can be copied back into the database file.
        await using (var reader = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await reader.OpenAsync();
            await using var transaction = reader.BeginTransaction(deferred: true);
            await using (var read = reader.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT count(*) FROM messages;";
                await read.ExecuteScalarAsync();
            }

            for (var i = 0; i < 10; i++)
            {
                await scoped.AddMessagesAsync([new ChatMessage(ChatRole.User, $"message {i} " + new string('x', 2000))]);
            }

            var pinned = await memory.GetStorageStatusAsync();
            Assert.NotNull(pinned);
            Assert.False(pinned.LastCheckpointSucceeded);
            Assert.True(pinned.ConsecutiveCheckpointFailures >= 10, $"{pinned.ConsecutiveCheckpointFailures} consecutive failures");
            Assert.True(pinned.WalFrames > pinned.CheckpointedFrames, $"{pinned.CheckpointedFrames} of {pinned.WalFrames} frames");
            Assert.True(pinned.UncheckpointedBytes > 0);
            Assert.True(pinned.WalFileBytes >= pinned.UncheckpointedBytes);
            Assert.Equal(path, pinned.FilePath);
            var warning = Assert.Single(logs.Warnings, w => w.Contains("(1 in a row)", StringComparison.Ordinal));
            Assert.Contains(path, warning, StringComparison.Ordinal);
            Assert.Contains("log frames copied back", warning, StringComparison.Ordinal);

            // Past the bound, the next write is refused with a clear error instead of the log growing on.
            database.MaxWalBytes = pinned.UncheckpointedBytes / 2;
            var refused = await Assert.ThrowsAsync<LongMemoryStoreException>(() => scoped.AddMessagesAsync([new ChatMessage(ChatRole.User, "refused") { MessageId = "refused" }]));
            Assert.Contains(path, refused.Message, StringComparison.Ordinal);
            Assert.Contains("MaxWalBytes", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(await scoped.GetMessagesAsync(), m => m.ResponseId == "refused");
        }

        // The reader is gone: the next write checkpoints first and goes through.
        await scoped.AddMessagesAsync([new ChatMessage(ChatRole.User, "accepted") { MessageId = "accepted" }]);
        var recovered = await memory.GetStorageStatusAsync();
        Assert.NotNull(recovered);
        Assert.True(recovered.LastCheckpointSucceeded);
        Assert.Equal(0, recovered.ConsecutiveCheckpointFailures);
        Assert.Equal(0, recovered.UncheckpointedBytes);
        Assert.Contains(await scoped.GetMessagesAsync(), m => m.ResponseId == "accepted");
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return _warnings.ToList();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel == LogLevel.Warning)
                {
                    lock (owner._warnings)
                    {
                        owner._warnings.Add(formatter(state, exception));
                    }
                }
            }
        }
    }
}
