using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

/// <summary>The server restarts in the middle of a write. Runs on a cluster of its own, so no other test sees the restart.</summary>
[RequiresPostgres(OwnCluster = true)]
public sealed class PostgreSqlServerRestartTests
{
    [Fact(Timeout = 180_000)]
    public async Task UpsertAsync_ServerRestartsMidBatch_FailsClearlyWritesNothingAndTheNextCallWorks()
    {
        await using var cluster = await OwnedPostgresCluster.StartAsync();
        await using var schema = await TestSchema.CreateAsync(cluster.ConnectionString);
        await using var index = new PostgresMemoryIndex(schema.Options());
        await index.UpsertAsync([PostgreSqlFailureTests.Item("user:a", "locked", "original")]);
        // Several idle pooled connections, all of which the restart kills.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => index.CountAsync(new MemoryFilter("user:a"))));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // The batch inserts "before", then blocks on the locked row: the restart hits it half-way through.
        var holder = await schema.OpenAdminConnectionAsync();
        var transaction = await holder.BeginTransactionAsync();
        await PostgreSqlFailureTests.LockRowAsync(schema, holder, transaction, "locked");
        var upsert = index.UpsertAsync(
        [
            PostgreSqlFailureTests.Item("user:a", "before", "written before the lock"),
            PostgreSqlFailureTests.Item("user:a", "locked", "changed"),
            PostgreSqlFailureTests.Item("user:a", "after", "written after the lock"),
        ]);
        await schema.WaitForLockWaitersAsync(1, timeout.Token);
        await cluster.RestartAsync();

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => upsert);
        Assert.Contains("connection was lost", error.Message, StringComparison.Ordinal);
        await holder.DisposeAsync();

        var items = (await index.ScrollAsync(new MemoryFilter("user:a"))).Items;
        Assert.Equal(["locked"], items.Select(i => i.Id));
        Assert.Equal("original", items[0].Text);
        await index.UpsertAsync([PostgreSqlFailureTests.Item("user:a", "later", "written after the restart")]);
        Assert.Equal(2, await index.CountAsync(new MemoryFilter("user:a")));
    }
}
