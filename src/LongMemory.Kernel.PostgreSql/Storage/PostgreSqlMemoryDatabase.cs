using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// The PostgreSQL database of the LongMemory stores: one <see cref="NpgsqlDataSource"/> (connection pool), one schema,
/// and the versioned migrations of that schema. Stores built on the same instance share its pool.
/// </summary>
/// <remarks>
/// <para>
/// Migrations run once per schema, in version order, in one transaction that first takes a transaction-scoped advisory
/// lock (<c>pg_advisory_xact_lock</c>) keyed by the schema name. Instances starting together therefore queue on the
/// lock: the first applies the missing steps, the others then find them recorded in <c>schema_migrations</c> and apply
/// nothing. A failed step rolls the whole run back, so a schema is never left half-migrated.
/// </para>
/// <para>
/// The pgvector extension must exist in the database (<c>CREATE EXTENSION vector</c>, which needs a privileged role
/// once); the first migration creates it when the role may. Failures of the server or the pool surface as
/// <see cref="LongMemoryStoreException"/>; after a broken connection the idle pooled connections are discarded, so the
/// next call after a server restart opens fresh ones.
/// </para>
/// </remarks>
public sealed class PostgreSqlMemoryDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>The first key of every advisory lock this library takes (the second is derived from the schema name).</summary>
    public const int AdvisoryLockClass = 0x4C4D;

    private readonly bool _ownsDataSource;
    private readonly bool _applyMigrations;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlMemoryDatabase"/> class.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public PostgreSqlMemoryDatabase(PostgreSqlMemoryOptions options, ILoggerFactory? loggerFactory = null)
    {
        Throw.IfNull(options);
        options.Validate();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgreSqlMemoryDatabase>();
        Schema = options.Schema;
        QuotedSchema = "\"" + Schema + "\"";
        _applyMigrations = options.ApplyMigrations;
        _ownsDataSource = options.DataSource is null;
        DataSource = options.DataSource ?? options.BuildDataSource();
    }

    /// <summary>Gets the data source (connection pool).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Gets the schema holding the tables.</summary>
    public string Schema { get; }

    /// <summary>Gets the latest migration version this library knows.</summary>
    public static int LatestVersion => PostgreSqlMigrations.All[^1].Version;

    /// <summary>Gets the schema name, double-quoted for SQL text (it is validated as a plain identifier).</summary>
    internal string QuotedSchema { get; }

    /// <summary>Gets the text the advisory lock of migrations is keyed by (with <see cref="AdvisoryLockClass"/>).</summary>
    internal string MigrationLockKey => "migrate:" + Schema;

    /// <summary>Gets whether the installed pgvector has iterative index scans (0.8.0 and later), which keep filtered HNSW searches complete.</summary>
    internal bool SupportsIterativeScan { get; private set; }

    /// <summary>
    /// Applies the migrations the schema lacks, under a transaction-scoped advisory lock so that concurrent instances
    /// migrate once. Stores call this on first use unless <see cref="PostgreSqlMemoryOptions.ApplyMigrations"/> is off.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of migrations this call applied (0 when the schema was current).</returns>
    /// <exception cref="LongMemoryStoreException">The server refused a step (nothing of the run is kept) or cannot be reached.</exception>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        return await RunCoreAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, hashtext($2));", ct, AdvisoryLockClass, MigrationLockKey).ConfigureAwait(false);
            await EnsureVectorExtensionAsync(connection, transaction, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                $"""
                CREATE SCHEMA IF NOT EXISTS {QuotedSchema};
                CREATE TABLE IF NOT EXISTS {QuotedSchema}.schema_migrations (
                    version integer PRIMARY KEY,
                    description text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """, ct).ConfigureAwait(false);

            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand($"SELECT version FROM {QuotedSchema}.schema_migrations;", connection, transaction))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var count = 0;
            foreach (var migration in PostgreSqlMigrations.All)
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }

                await ExecuteAsync(connection, transaction, migration.Sql.Replace("{schema}", QuotedSchema, StringComparison.Ordinal), ct).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"INSERT INTO {QuotedSchema}.schema_migrations(version, description) VALUES ($1, $2);", ct,
                    migration.Version, migration.Description).ConfigureAwait(false);
                count++;
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            if (count > 0)
            {
                _logger.LogInformation("Applied {Count} PostgreSQL migration(s) to schema {Schema}; now at version {Version}.", count, Schema, LatestVersion);
            }

            return count;
        }, "migrate the schema", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }

        _initializeLock.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDataSource)
        {
            DataSource.Dispose();
        }

        _initializeLock.Dispose();
    }

    /// <summary>Runs an operation on a pooled connection after the one-time initialization, wrapping server and pool failures.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="what">What is being done, for the error message ("upsert memory items").</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The operation's result.</returns>
    internal async Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await RunCoreAsync(operation, what, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs an operation in a transaction (committed when the operation returns).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="what">What is being done, for the error message.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The operation's result.</returns>
    internal Task<T> RunInTransactionAsync<T>(
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken) =>
        RunAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            var result = await operation(connection, transaction, ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return result;
        }, what, cancellationToken);

    /// <summary>Runs one statement with positional parameters ($1, $2, ...).</summary>
    internal static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            if (_applyMigrations)
            {
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
            }

            SupportsIterativeScan = await RunCoreAsync(CheckServerAsync, "check the schema and the pgvector extension", cancellationToken).ConfigureAwait(false);
            _initialized = true;
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    private async Task<bool> CheckServerAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var version = 0;
        await using (var migrated = new NpgsqlCommand($"SELECT to_regclass('{QuotedSchema}.schema_migrations') IS NOT NULL;", connection))
        {
            if ((bool)(await migrated.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                migrated.CommandText = $"SELECT coalesce(max(version), 0) FROM {QuotedSchema}.schema_migrations;";
                version = (int)(await migrated.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }
        }

        if (version < LatestVersion)
        {
            throw new LongMemoryStoreException(
                $"The PostgreSQL schema {Schema} is at migration {version}, this library needs {LatestVersion}: run PostgreSqlMemoryDatabase.MigrateAsync " +
                $"(or turn {nameof(PostgreSqlMemoryOptions)}.{nameof(PostgreSqlMemoryOptions.ApplyMigrations)} on).");
        }

        await using var command = new NpgsqlCommand("SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector'), '[1,2]'::vector;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var extension = reader.IsDBNull(0) ? null : reader.GetString(0);
        try
        {
            _ = reader.GetFieldValue<Pgvector.Vector>(1);
        }
        catch (Exception ex) when (ex is InvalidCastException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"The NpgsqlDataSource given in {nameof(PostgreSqlMemoryOptions)}.{nameof(PostgreSqlMemoryOptions.DataSource)} has no pgvector type mapping: " +
                "build it with NpgsqlDataSourceBuilder.UseVector() (namespace Pgvector.Npgsql).", ex);
        }

        return extension is not null && Version.TryParse(extension, out var parsed) && parsed >= new Version(0, 8, 0);
    }

    private async Task EnsureVectorExtensionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var check = new NpgsqlCommand("SELECT 1 FROM pg_extension WHERE extname = 'vector';", connection, transaction))
        {
            if (await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        // The extension is database-wide: schemas migrating at the same time serialize on one more lock.
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock($1, 0);", cancellationToken, AdvisoryLockClass).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, transaction, "CREATE EXTENSION IF NOT EXISTS vector;", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new LongMemoryStoreException(
                "The pgvector extension is not created in this database and this role may not create it: run CREATE EXTENSION vector; once as a " +
                $"privileged role (the extension must be installed on the server). The server said: {ex.MessageText}", ex);
        }

        await connection.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Created the pgvector extension.");
    }

    private async Task<T> RunCoreAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, string what, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await operation(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            throw Wrap(ex, what);
        }
    }

    private LongMemoryStoreException Wrap(NpgsqlException ex, string what)
    {
        var broken = ex is PostgresException { SqlState: var state } ? IsConnectionLoss(state) : ex.InnerException is IOException or System.Net.Sockets.SocketException || ex.IsTransient;
        var message = string.Create(CultureInfo.InvariantCulture, $"Could not {what} in PostgreSQL (schema {Schema}): {ex.Message}");
        if (ex.InnerException is TimeoutException && ex.Message.Contains("pool", StringComparison.OrdinalIgnoreCase))
        {
            message += " Every pooled connection stayed busy: raise the pool size or find what holds connections.";
        }
        else if (broken)
        {
            // The server may have restarted: idle pooled connections are as dead as this one, so the next call opens new ones.
            DataSource.Clear();
            message += " The connection was lost; the server rolled back the uncommitted work of this call, and the next call opens a new connection.";
        }

        _logger.LogWarning(ex, "PostgreSQL failed to {What} (schema {Schema}).", what, Schema);
        return new LongMemoryStoreException(message, ex);
    }

    // 08: connection exception; 57P01-57P03: the server is shutting down, crashed or is not accepting connections yet.
    private static bool IsConnectionLoss(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03";
}
