using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Memory;

/// <summary>The server restarts in the middle of a turn. Runs on a cluster of its own, so no other test sees the restart.</summary>
[RequiresPostgres(OwnCluster = true)]
public sealed class PostgreSqlChatMemoryRestartTests
{
    [Fact(Timeout = 180_000)]
    public async Task AddMessagesAsync_ServerRestartsMidTurn_FailsClearlyWritesNothingAndTheNextTurnWorks()
    {
        await using var cluster = await OwnedPostgresCluster.StartAsync();
        await using var schema = await TestSchema.CreateAsync(cluster.ConnectionString);
        var scope = new MemoryScope("alice", "trip");
        await using var memory = new ChatMemoryBuilder().UsePostgreSql(null, o =>
        {
            var source = schema.Options();
            o.ConnectionString = source.ConnectionString;
            o.Schema = source.Schema;
        }).Build();
        await memory.GetOrCreateSessionAsync(scope);
        var scoped = memory.ForScope(scope);
        await scoped.AddMessagesAsync(Turn(0));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // Another transaction holds the idempotency key of the turn's answer: the turn's transaction stores the question,
        // then waits on that key, half-way through, when the server restarts.
        var holder = await schema.OpenAdminConnectionAsync();
        var transaction = await holder.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(
            $"""
            INSERT INTO "{schema.Name}".messages (session_key, idempotency_key, role, content, created_at)
            SELECT id, 'message-id:t1-a', 'assistant', 'held', now() FROM "{schema.Name}".sessions WHERE public_id = 'trip';
            """, holder, transaction))
        {
            Assert.Equal(1, await command.ExecuteNonQueryAsync(timeout.Token));
        }

        var turn = scoped.AddMessagesAsync(Turn(1), timeout.Token);
        await schema.WaitForLockWaitersAsync(1, timeout.Token);
        await cluster.RestartAsync();

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => turn);
        Assert.Contains("connection was lost", error.Message, StringComparison.Ordinal);
        await holder.DisposeAsync();

        // Nothing of the turn was kept: no message, no counter, no outbox entry.
        var afterFailure = await scoped.GetMessagesAsync();
        Assert.Equal(["t0-u", "t0-a"], afterFailure.Select(m => m.Content[..4]));
        Assert.Equal(2, (await scoped.GetSessionAsync())!.MessageCount);
        Assert.Equal(0L, await schema.ScalarAsync("SELECT count(*) FROM {schema}.index_outbox;"));

        // The next turn (the app retrying the same one) works and is recalled.
        var retried = await scoped.AddMessagesAsync(Turn(1));
        Assert.Equal(2, retried.Count);
        Assert.Equal(4, (await scoped.GetMessagesAsync()).Count);
        Assert.Contains(await scoped.RecallAsync("ferry to Berlenga"), h => h.Text.Contains("Berlenga", StringComparison.Ordinal));
    }

    private static ChatMessage[] Turn(int turn) =>
    [
        new(ChatRole.User, $"t{turn}-u: shall we take the ferry to Berlenga on day {turn}?") { MessageId = $"t{turn}-u" },
        new(ChatRole.Assistant, $"t{turn}-a: yes, the ferry to Berlenga leaves at nine on day {turn}.") { MessageId = $"t{turn}-a" },
    ];
}
