using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel.Tests.Storage;

public class SqliteMemoryDatabaseTests
{
    [Fact]
    public async Task OpenConnectionAsync_NewFile_CreatesSchemaWithWalAndVersion()
    {
        using var temp = new TempDatabase();
        await using var connection = await temp.Database.OpenConnectionAsync();

        Assert.Equal(SqliteMemoryDatabase.SchemaVersion, await ScalarAsync<long>(connection, "PRAGMA user_version;"));
        Assert.Equal("wal", await ScalarAsync<string>(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'memory_fts';"));
    }

    [Theory]
    [InlineData(SqliteDurability.Normal, 1L)]
    [InlineData(SqliteDurability.Full, 2L)]
    public async Task OpenConnectionAsync_Durability_SetsSynchronous(SqliteDurability durability, long expected)
    {
        using var temp = new TempDatabase();
        using var database = new SqliteMemoryDatabase(temp.Path, durability: durability);
        await using var connection = await database.OpenConnectionAsync();

        Assert.Equal(durability, database.Durability);
        Assert.Equal(expected, await ScalarAsync<long>(connection, "PRAGMA synchronous;"));
    }

    [Fact]
    public async Task OpenConnectionAsync_PooledConnectionReused_KeepsEverySetting()
    {
        using var temp = new TempDatabase();
        using var database = new SqliteMemoryDatabase(temp.Path, TimeSpan.FromSeconds(3), SqliteDurability.Full);
        SQLitePCL.sqlite3? first;
        await using (var connection = await database.OpenConnectionAsync())
        {
            first = connection.Handle;
        }

        // The settings are applied once per native connection; the pool hands the same one out again.
        await using var again = await database.OpenConnectionAsync();
        Assert.Same(first, again.Handle);
        Assert.Equal(2L, await ScalarAsync<long>(again, "PRAGMA synchronous;"));
        Assert.Equal(1L, await ScalarAsync<long>(again, "PRAGMA foreign_keys;"));
        Assert.Equal(1L, await ScalarAsync<long>(again, "PRAGMA secure_delete;"));
        Assert.Equal(3000L, await ScalarAsync<long>(again, "PRAGMA busy_timeout;"));
    }

    [Fact]
    public async Task OpenConnectionAsync_TwoInstancesOneFileOtherDurability_EachGetsItsOwn()
    {
        using var temp = new TempDatabase();
        using var normal = new SqliteMemoryDatabase(temp.Path, durability: SqliteDurability.Normal);
        using var full = new SqliteMemoryDatabase(temp.Path, durability: SqliteDurability.Full);

        // Both share one connection pool (one connection string): a native connection set up by one instance is set up
        // again when the other gets it.
        for (var i = 0; i < 3; i++)
        {
            await using (var connection = await normal.OpenConnectionAsync())
            {
                Assert.Equal(1L, await ScalarAsync<long>(connection, "PRAGMA synchronous;"));
            }

            await using (var connection = await full.OpenConnectionAsync())
            {
                Assert.Equal(2L, await ScalarAsync<long>(connection, "PRAGMA synchronous;"));
            }
        }
    }

    [Fact]
    public void Constructor_Default_IsNormalDurability()
    {
        using var temp = new TempDatabase();

        Assert.Equal(SqliteDurability.Normal, temp.Database.Durability);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteMemoryDatabase(temp.Path, durability: (SqliteDurability)7));
    }

    [Fact]
    public async Task OpenConnectionAsync_Reopened_KeepsDataAndDoesNotMigrateTwice()
    {
        using var temp = new TempDatabase();
        await using (var connection = await temp.Database.OpenConnectionAsync())
        {
            await ScalarAsync<long>(connection, "INSERT INTO index_meta(key, value) VALUES ('k', 'v'); SELECT 1;");
        }

        var reopened = temp.Reopen();
        await using var again = await reopened.OpenConnectionAsync();
        Assert.Equal("v", await ScalarAsync<string>(again, "SELECT value FROM index_meta WHERE key = 'k';"));
    }

    [Fact]
    public async Task OpenConnectionAsync_NewerSchema_ThrowsClearError()
    {
        using var temp = new TempDatabase();
        await using (var connection = await temp.Database.OpenConnectionAsync())
        {
            await ScalarAsync<long>(connection, $"PRAGMA user_version = {SqliteMemoryDatabase.SchemaVersion + 1}; SELECT 1;");
        }

        var reopened = temp.Reopen();
        var error = await Assert.ThrowsAsync<LongMemoryStoreException>(() => reopened.InitializeAsync());
        Assert.Contains("newer", error.Message);
    }

    private static async Task<T> ScalarAsync<T>(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
