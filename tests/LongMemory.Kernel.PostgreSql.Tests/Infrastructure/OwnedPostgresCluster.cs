using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL cluster this test process created (trust authentication, 127.0.0.1 only, a free port, socket
/// in /tmp), with a database that has pgvector. It can be restarted; disposing stops it and deletes its directory.
/// </summary>
internal sealed class OwnedPostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(90);
    private readonly string _directory;

    private OwnedPostgresCluster(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=longmemory_test;Timeout=15;Command Timeout=60";

    public static async Task<OwnedPostgresCluster> StartAsync()
    {
        if (PostgresBinaries.WhyNotStartable is { } reason)
        {
            throw new InvalidOperationException("Cannot start a PostgreSQL cluster: " + reason);
        }

        var directory = Path.Combine("/tmp", "longmemory-pgtest-" + Guid.NewGuid().ToString("N")[..10]);
        await ProcessRunner.RunAsync(PostgresBinaries.Tool("initdb"), ["-D", directory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"], ToolTimeout);
        await StartJanitorAsync(directory);
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreePort();
            try
            {
                var cluster = new OwnedPostgresCluster(directory, port);
                await cluster.PgCtlAsync("start");
                await cluster.CreateDatabaseAsync();
                return cluster;
            }
            catch (InvalidOperationException ex)
            {
                // Another process may have taken the port between the probe and the start.
                last = ex;
            }
        }

        TryDelete(directory);
        throw new InvalidOperationException("PostgreSQL did not start.", last);
    }

    /// <summary>Restarts the server, ending every session ("fast" shutdown: open transactions are rolled back).</summary>
    /// <summary>
    /// Restarts the server the way a crash would (immediate mode): every backend gets SIGQUIT at once and exits without
    /// cleanup, so a transaction blocked on a lock can never be released and commit before its own backend dies (fast mode
    /// terminates backends one by one, and the order decided whether a blocked write committed: a race).
    /// </summary>
    public Task RestartAsync() => PgCtlAsync("restart", "immediate");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ProcessRunner.RunAsync(PostgresBinaries.Tool("pg_ctl"), ["-D", _directory, "stop", "-m", "immediate", "-w", "-t", "60"], ToolTimeout);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        TryDelete(_directory);
    }

    /// <summary>Stops the cluster synchronously (process exit).</summary>
    public void StopNow()
    {
        try
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            // Nothing more can be done at exit.
        }
    }

    private Task<string> PgCtlAsync(string action, string mode = "fast") => ProcessRunner.RunAsync(
        PostgresBinaries.Tool("pg_ctl"),
        ["-D", _directory, "-w", "-t", "60", "-l", Path.Combine(_directory, "server.log"), "-m", mode,
         "-o", $"-p {Port} -k /tmp -c listen_addresses=127.0.0.1", action],
        ToolTimeout);

    private async Task CreateDatabaseAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE longmemory_test;", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector;", connection);
            await command.ExecuteNonQueryAsync();
        }

        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// Starts a detached shell that waits for this test process to end (however it ends, even killed) and then stops the
    /// cluster and deletes its directory, so no server or data outlives the test run.
    /// </summary>
    private static async Task StartJanitorAsync(string directory)
    {
        var owner = ProcessRunner.IsRoot ? $"{PostgresBinaries.RunUser} -u postgres -- " : string.Empty;
        var script =
            $"( tail --pid={Environment.ProcessId} -f /dev/null; {owner}{PostgresBinaries.Tool("pg_ctl")} -D '{directory}' stop -m immediate; rm -rf '{directory}' ) " +
            "</dev/null >/dev/null 2>&1 &";
        await ProcessRunner.RunAsync("/bin/sh", ["-c", script], ToolTimeout, asClusterOwner: false);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
