using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>
/// The server the PostgreSQL tests share: <c>LONGMEMORY_POSTGRES_URL</c> when set (an Npgsql connection string, as
/// .ci/postgres-test-server.sh prints), else one cluster this process starts on first use when the server
/// binaries and pgvector are installed, stopped at process exit. Each test class works in its own schema.
/// </summary>
internal static class PostgresTestServer
{
    public const string UrlVariable = "LONGMEMORY_POSTGRES_URL";

    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static string? _connectionString;

    /// <summary>Gets why the PostgreSQL tests cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? SkipReason =>
        Configured is not null || PostgresBinaries.WhyNotStartable is null
            ? null
            : $"{UrlVariable} is not set and no PostgreSQL can be started here: {PostgresBinaries.WhyNotStartable}. " +
              $"Run `eval \"$(.ci/postgres-test-server.sh start)\"` (it sets {UrlVariable}) to run the PostgreSQL tests.";

    private static string? Configured => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : null;

    public static async Task<string> GetConnectionStringAsync()
    {
        if (Configured is { } configured)
        {
            return configured;
        }

        await StartLock.WaitAsync();
        try
        {
            if (_connectionString is null)
            {
                var cluster = await OwnedPostgresCluster.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopNow();
                _connectionString = cluster.ConnectionString;
            }

            return _connectionString;
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>A fresh schema name for one test class instance.</summary>
    public static string NewSchemaName() => "lmtest_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Drops a test schema and everything in it.</summary>
    public static async Task DropSchemaAsync(string connectionString, string schema)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
