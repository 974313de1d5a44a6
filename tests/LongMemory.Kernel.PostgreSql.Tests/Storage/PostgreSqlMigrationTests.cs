using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

[RequiresPostgres]
public sealed class PostgreSqlMigrationTests
{
    [Fact(Timeout = 60_000)]
    public async Task MigrateAsync_TwoDataSourcesAtOnce_AppliesEachMigrationOnce()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var first = new PostgreSqlMemoryDatabase(schema.Options());
        await using var second = new PostgreSqlMemoryDatabase(schema.Options());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));

        // Hold the migration lock so that both instances are provably inside MigrateAsync, queued on it, before either runs.
        await using var holder = await schema.OpenAdminConnectionAsync();
        await ExecuteAsync(holder, "SELECT pg_advisory_lock($1, hashtext($2));", PostgreSqlMemoryDatabase.AdvisoryLockClass, first.MigrationLockKey);
        var migrations = new[] { first.MigrateAsync(timeout.Token), second.MigrateAsync(timeout.Token) };
        await schema.WaitForLockWaitersAsync(2, timeout.Token);
        await ExecuteAsync(holder, "SELECT pg_advisory_unlock($1, hashtext($2));", PostgreSqlMemoryDatabase.AdvisoryLockClass, first.MigrationLockKey);
        var applied = await Task.WhenAll(migrations);

        Assert.Equal([0, PostgreSqlMemoryDatabase.LatestVersion], applied.Order());
        Assert.Equal((long)PostgreSqlMemoryDatabase.LatestVersion, await schema.ScalarAsync("SELECT count(*) FROM {schema}.schema_migrations;"));
        Assert.Equal((long)PostgreSqlMemoryDatabase.LatestVersion, await schema.ScalarAsync("SELECT count(DISTINCT version) FROM {schema}.schema_migrations;"));
    }

    [Fact(Timeout = 60_000)]
    public async Task MigrateAsync_CurrentSchema_AppliesNothing()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using var database = new PostgreSqlMemoryDatabase(schema.Options());

        Assert.Equal(PostgreSqlMemoryDatabase.LatestVersion, await database.MigrateAsync());
        Assert.Equal(0, await database.MigrateAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task Index_MigrationsOffOnAnEmptySchema_FailsAskingForMigrateAsync()
    {
        await using var schema = await TestSchema.CreateAsync();
        var options = schema.Options();
        options.ApplyMigrations = false;
        await using var index = new PostgresMemoryIndex(options);

        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => index.CountAsync(new MemoryFilter("user:a")));

        Assert.Contains("MigrateAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Index_MigrationsOffAfterADeploymentStepMigrated_Works()
    {
        await using var schema = await TestSchema.CreateAsync();
        await using (var deployment = new PostgreSqlMemoryDatabase(schema.Options()))
        {
            await deployment.MigrateAsync();
        }

        var options = schema.Options();
        options.ApplyMigrations = false;
        await using var index = new PostgresMemoryIndex(options);

        Assert.Equal(0, await index.CountAsync(new MemoryFilter("user:a")));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }
}
