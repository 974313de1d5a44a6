using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

/// <summary>Server and pool failures surface as clear exceptions, write nothing half-way and do not poison the next call.</summary>
[RequiresPostgres]
public sealed class PostgreSqlFailureTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact(Timeout = 60_000)]
    public async Task AnyCall_PoolExhausted_FailsWithAClearTimeoutInsteadOfHanging()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using (var migrated = new PostgreSqlMemoryDatabase(schema.Options()))
        {
            await migrated.MigrateAsync();
        }

        // The timeout also bounds opening the one physical connection, which a loaded machine may take a while to do.
        var options = schema.Options();
        options.MaxPoolSize = 1;
        options.ConnectionTimeout = TimeSpan.FromSeconds(5);
        await using var index = new PostgresMemoryIndex(options);
        await index.UpsertAsync([Item("user:a", "m1", "first")]);

        await using (var held = await index.Database.DataSource.OpenConnectionAsync())
        {
            var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter("user:a")));

            Assert.Contains("pool", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Max Pool Size", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, await index.CountAsync(new MemoryFilter("user:a")));
    }

    [Fact(Timeout = 60_000)]
    public async Task UpsertAsync_CancelledWhileWaiting_ThrowsCancellationUnwrappedAndStoresNothing()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var index = new PostgresMemoryIndex(schema.Options());
        await index.UpsertAsync([Item("user:a", "locked", "original")]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));

        await using var holder = await schema.OpenAdminConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await LockRowAsync(schema, holder, transaction, "locked");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var upsert = index.UpsertAsync([Item("user:a", "new", "new item"), Item("user:a", "locked", "changed")], cancel.Token);
        await schema.WaitForLockWaitersAsync(1, timeout.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upsert);
        await transaction.RollbackAsync();
        Assert.Equal(["locked"], (await index.ScrollAsync(new MemoryFilter("user:a"))).Items.Select(i => i.Id));
        Assert.Equal("original", Assert.Single(await index.GetAsync("user:a", MemoryCollections.Logs, ["locked"])).Text);
    }

    internal static async Task LockRowAsync(TestSchema schema, NpgsqlConnection connection, NpgsqlTransaction transaction, string itemId)
    {
        await using var command = new NpgsqlCommand($"SELECT 1 FROM \"{schema.Name}\".memory_items WHERE item_id = $1 FOR UPDATE;", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = itemId });
        Assert.NotNull(await command.ExecuteScalarAsync());
    }

    internal static MemoryItem Item(string user, string id, string text) => new()
    {
        Id = id,
        Collection = MemoryCollections.Logs,
        UserId = user,
        SessionId = "s1",
        Text = text,
        CreatedAt = T0,
    };
}
