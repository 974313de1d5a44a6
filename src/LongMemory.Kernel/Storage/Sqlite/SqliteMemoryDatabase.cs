using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel;

/// <summary>
/// One SQLite database (a file, or a named in-memory database) shared by the SQLite stores and the SQLite memory index.
/// Creates and migrates the schema on first use (versioned with <c>PRAGMA user_version</c>), uses WAL, a busy timeout and
/// <c>secure_delete</c> (deleted content is zeroed, not left in free pages).
/// </summary>
/// <remarks>
/// Connections are opened per operation (Microsoft.Data.Sqlite pools them). An in-memory database lives as long as this
/// object: it holds one connection open so that the shared-cache database is not dropped between operations.
/// </remarks>
public sealed class SqliteMemoryDatabase : IDisposable
{
    private readonly SemaphoreSlim _migrationLock = new(1, 1);
    private readonly SqliteConnection? _keepAlive;
    private volatile bool _migrated;

    /// <summary>Initializes a new instance of the <see cref="SqliteMemoryDatabase"/> class for a database file.</summary>
    /// <param name="path">The database file path (created if missing; its folder must exist or be creatable).</param>
    /// <param name="busyTimeout">How long a writer waits for a lock; default 5 seconds.</param>
    /// <param name="durability">
    /// How hard a commit waits for the disk; default <see cref="SqliteDurability.Normal"/> (safe against application
    /// crashes; a power loss can roll back the last commits). Use <see cref="SqliteDurability.Full"/> when a committed
    /// turn must survive a power loss too.
    /// </param>
    public SqliteMemoryDatabase(string path, TimeSpan? busyTimeout = null, SqliteDurability durability = SqliteDurability.Normal)
    {
        if (!Enum.IsDefined(durability))
        {
            throw new ArgumentOutOfRangeException(nameof(durability), durability, "Unknown SQLite durability.");
        }

        Throw.IfNullOrWhitespace(path);
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5);
        Durability = durability;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds),
        }.ToString();
        FilePath = fullPath;
    }

    private SqliteMemoryDatabase(string connectionString, SqliteConnection keepAlive)
    {
        ConnectionString = connectionString;
        BusyTimeout = TimeSpan.FromSeconds(5);
        _keepAlive = keepAlive;
    }

    /// <summary>Gets the connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the database file path, or <see langword="null"/> for an in-memory database.</summary>
    public string? FilePath { get; }

    /// <summary>Gets how hard a commit waits for the disk.</summary>
    /// <value>Default <see cref="SqliteDurability.Normal"/>.</value>
    public SqliteDurability Durability { get; }

    /// <summary>Gets the busy timeout.</summary>
    public TimeSpan BusyTimeout { get; }

    /// <summary>Gets the schema version this library writes.</summary>
    public static int SchemaVersion => SqliteSchema.Migrations.Count;

    /// <summary>Creates a private in-memory database (for tests and ephemeral use).</summary>
    /// <param name="name">A name; a unique one when <see langword="null"/>.</param>
    /// <returns>The database.</returns>
    public static SqliteMemoryDatabase CreateInMemory(string? name = null)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = name ?? "longmemory-" + Guid.NewGuid().ToString("N"),
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
        }.ToString();
        var keepAlive = new SqliteConnection(connectionString);
        keepAlive.Open();
        return new SqliteMemoryDatabase(connectionString, keepAlive);
    }

    /// <summary>Opens a connection to the migrated database.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>An open connection; dispose it when done.</returns>
    public async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var pragma = connection.CreateCommand())
            {
                var synchronous = Durability == SqliteDurability.Full ? "FULL" : "NORMAL";
                // secure_delete zeroes freed pages and cells, so deleted (forgotten) content does not linger in the file.
                pragma.CommandText = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = {synchronous}; PRAGMA secure_delete = ON;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_migrated)
            {
                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new LongMemoryStoreException($"Could not open the SQLite database: {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates or upgrades the schema now (it is otherwise done on first use).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keepAlive?.Dispose();
        _migrationLock.Dispose();
        if (FilePath is not null)
        {
            SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _migrationLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }

            if (FilePath is not null)
            {
                using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            await SqliteSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrationLock.Release();
        }
    }
}
