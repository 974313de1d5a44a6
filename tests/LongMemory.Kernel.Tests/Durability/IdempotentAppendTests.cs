using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>Appends keyed by <see cref="ChatMessage.MessageId"/>: a retried call stores nothing twice and loses nothing.</summary>
public sealed class IdempotentAppendTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "lm-idem-" + Guid.NewGuid().ToString("N") + ".db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task AddMessagesAsync_SameCallTwiceWithAnIdRepeatedInside_EveryMessageStoredOnce()
    {
        await using var memory = new ChatMemoryBuilder().UseSqlite(_path).Build();
        var scope = new MemoryScope("alice", "s1");
        await memory.GetOrCreateSessionAsync(scope);
        var scoped = memory.ForScope(scope);

        // One model response can carry several messages under one id (a tool call and its text): both are kept.
        ChatMessage[] turn =
        [
            new(ChatRole.User, "What is the weather?") { MessageId = "u1" },
            new(ChatRole.Assistant, "Let me look.") { MessageId = "r1" },
            new(ChatRole.Assistant, "It is sunny.") { MessageId = "r1" },
            new(ChatRole.User, "Thanks") ,
        ];
        var first = await scoped.AddMessagesAsync(turn);
        var retried = await scoped.AddMessagesAsync(turn.Take(3));

        Assert.Equal(first.Take(3).Select(m => m.Id), retried.Select(m => m.Id));
        var stored = await scoped.GetMessagesAsync();
        Assert.Equal(["What is the weather?", "Let me look.", "It is sunny.", "Thanks"], stored.Select(m => m.Content));
    }
}
