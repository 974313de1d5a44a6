using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>A schema of its own for one test (random name), dropped with everything in it when disposed.</summary>
internal sealed class TestSchema : IAsyncDisposable
{
    private TestSchema(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public string Name { get; } = PostgresTestServer.NewSchemaName();

    /// <summary>Gets an application name unique to this test, to find its server sessions in pg_stat_activity.</summary>
    public string ApplicationName { get; } = "lmtest-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<TestSchema> CreateAsync(string? connectionString = null) =>
        new(connectionString ?? await PostgresTestServer.GetConnectionStringAsync());

    public PostgreSqlMemoryOptions Options(Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = ApplicationName };
        configure?.Invoke(builder);
        return new PostgreSqlMemoryOptions { ConnectionString = builder.ConnectionString, Schema = Name };
    }

    /// <summary>Opens an unpooled connection outside the code under test.</summary>
    public async Task<NpgsqlConnection> OpenAdminConnectionAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, ApplicationName = "lmtest-admin" }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenAdminConnectionAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", "\"" + Name + "\"", StringComparison.Ordinal), connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// Waits until <paramref name="count"/> sessions of this test wait on a lock (a row, an advisory lock), by reading
    /// pg_stat_activity until they do or <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public async Task WaitForLockWaitersAsync(int count, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAdminConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock';", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ApplicationName });
        while ((long)(await command.ExecuteScalarAsync(cancellationToken))! < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PostgresTestServer.DropSchemaAsync(ConnectionString, Name);
        }
        catch (NpgsqlException)
        {
            // A test that restarted or stopped its server drops the whole cluster instead.
        }
    }
}
