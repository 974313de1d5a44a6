using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// One SQLite database (a file, or a named in-memory database) shared by the SQLite stores and the SQLite memory index.
/// Creates and migrates the schema on first use (versioned with <c>PRAGMA user_version</c>), uses WAL, a busy timeout and
/// <c>secure_delete</c> (deleted content is zeroed, not left in free pages).
/// </summary>
/// <remarks>
/// Connections are opened per operation (Microsoft.Data.Sqlite pools them). An in-memory database lives as long as this
/// object: it holds one connection open so that the shared-cache database is not dropped between operations.
/// <para>
/// Every <see cref="CheckpointInterval"/> commits a passive checkpoint is run and its result checked: a log that cannot
/// be copied back (a reader holding an old snapshot, a read-only or full disk) is logged as a warning with counts and
/// shown by <see cref="GetStatus"/>; with <see cref="MaxWalBytes"/> set, writes past that bound are refused with a
/// <see cref="LongMemoryStoreException"/> instead of letting the log grow without limit.
/// </para>
/// </remarks>
public sealed partial class SqliteMemoryDatabase : IDisposable
{
    /// <summary>The largest page count SQLite accepts: lifts a <see cref="MaxPageCount"/> cap on a pooled connection.</summary>
    private const long UncappedPageCount = 4294967294;

    // The settings each native connection was last given (by which instance's settings text); see OpenConnectionAsync.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, string> ConfiguredHandles = new();

    private readonly SemaphoreSlim _migrationLock = new(1, 1);
    private string? _connectionSettings;
    private readonly SqliteConnection? _keepAlive;
    private readonly object _checkpointGate = new();
    private volatile bool _migrated;
    private long _commits;
    private long _maxPageCount = -1;
    private bool _pageCapUsed;
    private SqliteStorageStatus _lastCheckpoint = new();
    private int _checkpointRunning;

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

    /// <summary>Gets or sets how many commits pass between two checkpoint checks.</summary>
    /// <value>Default 200; at least 1.</value>
    public int CheckpointInterval
    {
        get;
        set => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), value, "CheckpointInterval must be at least 1.");
    } = 200;

    /// <summary>
    /// Gets or sets the bound on write-ahead log content not yet checkpointed (bytes) past which writes are refused,
    /// or <see langword="null"/> for no bound.
    /// </summary>
    /// <value>Default <see langword="null"/>. SQLite checkpoints the log at about 4 MB on its own when it can.</value>
    public long? MaxWalBytes
    {
        get;
        set => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(MaxWalBytes), value, "MaxWalBytes must be positive (or null for no bound).");
    }

    /// <summary>Gets or sets the logger for checkpoint warnings.</summary>
    /// <value>Default: no logging (a <see cref="ChatMemory"/> that owns the database sets its own).</value>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>
    /// Gets or sets a cap on the database size in pages for every connection opened from now on (<c>PRAGMA max_page_count</c>),
    /// or <see langword="null"/> for none: tests use it to make the disk look full.
    /// </summary>
    internal long? MaxPageCount
    {
        get => Interlocked.Read(ref _maxPageCount) is var cap && cap >= 0 ? cap : null;
        set
        {
            Interlocked.Exchange(ref _maxPageCount, value ?? -1);
            Volatile.Write(ref _pageCapUsed, true);
        }
    }

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

    // secure_delete zeroes freed pages and cells, so deleted (forgotten) content does not linger in the file.
    private string ConnectionSettings => _connectionSettings ??=
        $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA synchronous = {(Durability == SqliteDurability.Full ? "FULL" : "NORMAL")}; PRAGMA secure_delete = ON;";

    /// <summary>Opens a connection to the migrated database.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>An open connection; dispose it when done.</returns>
    /// <remarks>
    /// Connections are pooled, and their settings (busy timeout, foreign keys, synchronous, <c>secure_delete</c>) are
    /// applied once per native connection: do not change them with a <c>PRAGMA</c> on a connection from here, or the
    /// memory's later operations on that native connection run with the changed setting.
    /// </remarks>
    public async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // The settings live on the native connection, which the pool hands out again: they are applied when a native
            // connection is new or was last set up by another instance with other settings (not on every open).
            var handle = connection.Handle;
            var settings = handle is not null && ConfiguredHandles.TryGetValue(handle, out var applied) && ReferenceEquals(applied, ConnectionSettings)
                ? string.Empty
                : ConnectionSettings;
            if (Volatile.Read(ref _pageCapUsed))
            {
                settings += $" PRAGMA max_page_count = {(MaxPageCount ?? UncappedPageCount).ToString(CultureInfo.InvariantCulture)};";
            }

            if (settings.Length > 0)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = settings;
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (handle is not null)
                {
                    ConfiguredHandles.AddOrUpdate(handle, ConnectionSettings);
                }
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
            throw new LongMemoryStoreException($"Could not open the SQLite database '{FilePath ?? "(in-memory database)"}': {ex.Message}", ex);
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
                await EnableWalAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            await SqliteSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            _migrated = true;
        }
        finally
        {
            _migrationLock.Release();
        }
    }

    /// <summary>Gets the write-ahead log's size and the outcome of the last checkpoint check.</summary>
    /// <returns>The status.</returns>
    public SqliteStorageStatus GetStatus()
    {
        var last = Volatile.Read(ref _lastCheckpoint);
        return new SqliteStorageStatus
        {
            FilePath = FilePath,
            WalFileBytes = WalFileBytes(),
            WalFrames = last.WalFrames,
            CheckpointedFrames = last.CheckpointedFrames,
            WalContentBytes = last.WalContentBytes,
            UncheckpointedBytes = last.UncheckpointedBytes,
            LastCheckpointAt = last.LastCheckpointAt,
            LastCheckpointSucceeded = last.LastCheckpointSucceeded,
            LastCheckpointError = last.LastCheckpointError,
            ConsecutiveCheckpointFailures = last.ConsecutiveCheckpointFailures,
            Commits = Interlocked.Read(ref _commits),
            MaxWalBytes = MaxWalBytes,
        };
    }

    /// <summary>Runs a passive checkpoint now (it never waits for readers or writers) and records its outcome.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The status after the attempt.</returns>
    public async Task<SqliteStorageStatus> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await CheckpointAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return GetStatus();
    }

    /// <summary>Refuses a write while the log is past <see cref="MaxWalBytes"/> and a checkpoint cannot bring it back.</summary>
    internal async Task EnsureWalWithinBoundAsync(SqliteConnection connection, string operation, CancellationToken cancellationToken)
    {
        if (MaxWalBytes is not { } max || FilePath is null || Volatile.Read(ref _lastCheckpoint).UncheckpointedBytes <= max)
        {
            return;
        }

        // The reader that blocked the last checkpoint may be gone: try again before refusing.
        await CheckpointAsync(connection, cancellationToken).ConfigureAwait(false);
        var status = Volatile.Read(ref _lastCheckpoint);
        if (status.UncheckpointedBytes > max)
        {
            throw new LongMemoryStoreException(string.Create(
                CultureInfo.InvariantCulture,
                $"Refused to {operation} in '{FilePath}': its write-ahead log holds {status.UncheckpointedBytes} bytes not yet checkpointed, over the bound of {max} (MaxWalBytes), and checkpoints have failed {status.ConsecutiveCheckpointFailures} times in a row ({status.LastCheckpointError}). A long-lived read transaction, a read-only file or a full disk keeps SQLite from checkpointing."));
        }
    }

    /// <summary>Counts a commit and, every <see cref="CheckpointInterval"/> commits, checks a checkpoint. Never throws.</summary>
    internal async Task AfterCommitAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (FilePath is null || Interlocked.Increment(ref _commits) % CheckpointInterval != 0)
        {
            return;
        }

        try
        {
            await CheckpointAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller's write is committed; a cancelled check is made again at the next interval.
        }
    }

    private async Task CheckpointAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (FilePath is null || Interlocked.Exchange(ref _checkpointRunning, 1) == 1)
        {
            return;
        }

        try
        {
            long busy = 0, frames = -1, copied = -1, pageSize = 0;
            string? error = null;
            try
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE); PRAGMA page_size;";
                using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    busy = reader.GetInt64(0);
                    frames = reader.GetInt64(1);
                    copied = reader.GetInt64(2);
                }

                if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    pageSize = reader.GetInt64(0);
                }
            }
            catch (SqliteException ex)
            {
                error = ex.Message;
            }

            // wal_checkpoint gives (busy, frames in the log, frames copied back); -1/-1 when the file is not in WAL mode.
            var succeeded = error is null && busy == 0 && copied >= frames;
            error ??= succeeded ? null
                : busy != 0 ? string.Create(CultureInfo.InvariantCulture, $"busy; {copied} of {frames} frames checkpointed")
                : string.Create(CultureInfo.InvariantCulture, $"{copied} of {frames} frames checkpointed");
            SqliteStorageStatus next;
            lock (_checkpointGate)
            {
                var failures = succeeded ? 0 : _lastCheckpoint.ConsecutiveCheckpointFailures + 1;
                next = new SqliteStorageStatus
                {
                    FilePath = FilePath,
                    WalFrames = frames,
                    CheckpointedFrames = copied,
                    WalContentBytes = Math.Max(0, frames) * pageSize,
                    UncheckpointedBytes = Math.Max(0, frames - Math.Max(0, copied)) * pageSize,
                    LastCheckpointAt = DateTimeOffset.UtcNow,
                    LastCheckpointSucceeded = succeeded,
                    LastCheckpointError = error,
                    ConsecutiveCheckpointFailures = failures,
                };
                Volatile.Write(ref _lastCheckpoint, next);
            }

            if (!succeeded)
            {
                LogCheckpointFailed(Logger, FilePath, next.ConsecutiveCheckpointFailures, copied, frames, WalFileBytes(), error!);
            }
        }
        finally
        {
            Volatile.Write(ref _checkpointRunning, 0);
        }
    }

    private long WalFileBytes()
    {
        try
        {
            var wal = new FileInfo(FilePath + "-wal");
            return FilePath is not null && wal.Exists ? wal.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Switches the file to WAL. Changing the journal mode needs a lock that SQLite does not wait for on its own when
    /// several processes open a new file at once, so a busy answer is retried until the busy timeout.
    /// </summary>
    private async Task EnableWalAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6 && clock.Elapsed < BusyTimeout)
            {
                // SQLITE_BUSY / SQLITE_LOCKED: another process holds the lock for a moment (it is creating the schema).
                await Task.Delay(Math.Min(5 * attempt, 100), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(40, LogLevel.Warning, "SQLite checkpoint of {FilePath} failed ({ConsecutiveFailures} in a row): {CheckpointedFrames} of {WalFrames} log frames copied back, write-ahead log file {WalFileBytes} bytes: {Reason}.")]
    private static partial void LogCheckpointFailed(ILogger logger, string filePath, int consecutiveFailures, long checkpointedFrames, long walFrames, long walFileBytes, string reason);
}
