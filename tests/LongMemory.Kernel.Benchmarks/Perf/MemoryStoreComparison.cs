using System.Globalization;
using System.Text.Json.Nodes;
using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Reporting;
using LongMemory.Kernel.PostgreSql;
using Npgsql;

namespace LongMemory.Kernel.Benchmarks.Perf;

/// <summary>
/// <c>perf --store sqlite,postgres</c>: the whole memory (sessions, messages, the outbox, the index, all through
/// <see cref="ChatMemory"/> with inline indexing) on each store, one after the other in one run, at each size of
/// <c>--messages</c> (default 10,000 and 100,000): ingest messages/s, recall and context assembly p50/p95. The synthetic
/// user, the turns and the queries are the ones of the plain <c>perf</c> run. SQLite is a WAL file in the temp folder;
/// PostgreSQL comes from <c>--postgres</c> or <c>LONGMEMORY_POSTGRES_URL</c> (<c>UsePostgreSql</c>: every store and the
/// <see cref="PostgresMemoryIndex"/> in one schema of its own, dropped afterwards) and its settings are printed.
/// Each store is warmed up once on a throw-away memory first. <c>--index-only</c> runs the older index-only stage
/// (<see cref="StoreComparison"/>) instead.
/// </summary>
internal static class MemoryStoreComparison
{
    /// <summary>Messages per session when <c>--sessions</c> is not given, so every size has sessions of the same length.</summary>
    private const int MessagesPerSession = 200;

    public static async Task<int> RunAsync(IReadOnlyList<string> stores, CommandArguments args)
    {
        var sizes = args.IntList("messages", [10_000, 100_000]);
        var sessionsArgument = args.Int("sessions", 0);
        var output = args.String("out");
        var keep = args.Flag("keep-db");
        var postgres = args.String("postgres") ?? Environment.GetEnvironmentVariable("LONGMEMORY_POSTGRES_URL");
        var synchronousCommit = args.String("synchronous-commit");
        args.EnsureAllUsed();
        if (synchronousCommit is not (null or "on" or "off"))
        {
            throw new CommandLineException($"--synchronous-commit must be on or off, not '{synchronousCommit}'.");
        }

        if (synchronousCommit is not null && postgres is not null)
        {
            // Per connection (the server's default stays as it is): off is SQLite's synchronous=NORMAL in WAL mode, a crash
            // may lose the last commits but never corrupts; on waits for the WAL flush of every commit.
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            builder.Options = ((builder.Options ?? string.Empty) + " -c synchronous_commit=" + synchronousCommit).Trim();
            postgres = builder.ConnectionString;
        }
        if (stores.Contains("postgres") && string.IsNullOrWhiteSpace(postgres))
        {
            throw new CommandLineException("--store postgres needs --postgres CONNECTION_STRING or LONGMEMORY_POSTGRES_URL (.ci/postgres-test-server.sh prints one).");
        }

        if (sizes.Any(s => s < 2))
        {
            throw new CommandLineException("--messages must be at least 2.");
        }

        Console.WriteLine($"perf --store {string.Join(',', stores)}: whole memory at {string.Join(", ", sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))} messages; {MachineInfo.Describe()}");
        var folder = Path.Combine(Path.GetTempPath(), "longmemory-perf-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var report = new JsonObject { ["machine"] = MachineInfo.ToJson() };
        try
        {
            var servers = new JsonObject();
            foreach (var store in stores)
            {
                await using var warmUp = await OpenAsync(store, postgres, folder, "warmup", keep: false).ConfigureAwait(false);
                servers[store] = warmUp.Server.DeepClone();
                Console.Write($"{store} ");
                await PerfBenchmark.WarmUpAsync(warmUp.Memory).ConfigureAwait(false);
            }

            report["stores"] = servers;
            var results = new JsonObject();
            foreach (var size in sizes)
            {
                var sessions = sessionsArgument > 0 ? sessionsArgument : Math.Max(1, size / MessagesPerSession);
                if (size / sessions < 2)
                {
                    throw new CommandLineException("--messages must be at least 2 per session.");
                }

                var bySize = new JsonObject();
                foreach (var store in stores)
                {
                    Console.WriteLine();
                    Console.WriteLine($"== {store}, {size:N0} messages in {sessions} sessions ==");
                    await using var target = await OpenAsync(store, postgres, folder, "perf" + size.ToString(CultureInfo.InvariantCulture), keep).ConfigureAwait(false);
                    var result = new JsonObject
                    {
                        ["config"] = new JsonObject
                        {
                            ["messages"] = size,
                            ["sessions"] = sessions,
                            ["database"] = target.Server["database"]!.DeepClone(),
                            ["indexing"] = target.Memory.Options.IndexingMode.ToString(),
                            ["embedder"] = "hashing (256 dimensions)",
                            ["token_counter"] = "o200k_base",
                            ["messages_per_add_call"] = 2,
                        },
                    };
                    var (scope, _) = await PerfBenchmark.MeasureIngestAsync(target.Memory, size, sessions, result, "ingest").ConfigureAwait(false);
                    await PerfBenchmark.MeasureRecallAsync(target.Memory, scope, result).ConfigureAwait(false);
                    await PerfBenchmark.MeasureContextAssemblyAsync(target.Memory, scope, result).ConfigureAwait(false);
                    result["database_bytes"] = await target.SizeAsync().ConfigureAwait(false);
                    Console.WriteLine($"database size: {(long)result["database_bytes"]! / 1048576.0:F1} MiB");
                    bySize[store] = result;
                }

                results[size.ToString(CultureInfo.InvariantCulture)] = bySize;
            }

            report["memory_stores"] = results;
            PrintSummary(results);
            if (output is not null)
            {
                JsonReport.Write(output, report);
                Console.WriteLine($"wrote {output}");
            }
        }
        finally
        {
            PerfBenchmark.TryDelete(folder);
        }

        return 0;
    }

    private static void PrintSummary(JsonObject results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"messages",9} {"store",-9} {"ingest msg/s",13} {"add p50 ms",11} {"add p95 ms",11} {"recall p50",11} {"recall p95",11} {"assembly p50",13} {"assembly p95",13}");
        foreach (var (size, stores) in results)
        {
            foreach (var (store, result) in stores!.AsObject())
            {
                Console.WriteLine(
                    $"{int.Parse(size, CultureInfo.InvariantCulture),9:N0} {store,-9} {result!["ingest"]!["messages_per_s"],13} {result["ingest"]!["add_call_p50_ms"],11} {result["ingest"]!["add_call_p95_ms"],11} " +
                    $"{result["recall"]!["p50_ms"],11} {result["recall"]!["p95_ms"],11} {result["context_assembly"]!["p50_ms"],13} {result["context_assembly"]!["p95_ms"],13}");
            }
        }
    }

    private static async Task<OpenMemory> OpenAsync(string store, string? postgres, string folder, string name, bool keep)
    {
        if (store == "sqlite")
        {
            var path = Path.Combine(folder, name + ".db");
            var sqlite = new ChatMemoryBuilder().UseSqlite(path).Build();
            return new OpenMemory(
                sqlite,
                new JsonObject { ["database"] = "SQLite file (WAL, synchronous=NORMAL)" },
                () => Task.FromResult(new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(p => new FileInfo(p).Length)),
                () => Task.CompletedTask);
        }

        var schema = "perf_" + name + "_" + Guid.NewGuid().ToString("N")[..8];
        var memory = new ChatMemoryBuilder().UsePostgreSql(postgres, o => o.Schema = schema).Build();
        JsonObject server;
        await using (var dataSource = NpgsqlDataSource.Create(postgres!))
        {
            server = await StoreComparison.DescribeServerAsync(dataSource).ConfigureAwait(false);
        }

        server["database"] = "PostgreSQL " + server["server_version"] + " (every store and the index in one schema)";
        return new OpenMemory(memory, server, () => SchemaBytesAsync(postgres!, schema), async () =>
        {
            if (keep)
            {
                Console.WriteLine($"kept schema {schema}");
                return;
            }

            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
        });
    }

    /// <summary>The bytes of every table of a schema with its indexes and TOAST data.</summary>
    private static async Task<long> SchemaBytesAsync(string postgres, string schema)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r';",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    private sealed class OpenMemory(ChatMemory memory, JsonObject server, Func<Task<long>> size, Func<Task> drop) : IAsyncDisposable
    {
        public ChatMemory Memory { get; } = memory;

        public JsonObject Server { get; } = server;

        public Task<long> SizeAsync() => size();

        public async ValueTask DisposeAsync()
        {
            await Memory.DisposeAsync().ConfigureAwait(false);
            await drop().ConfigureAwait(false);
        }
    }
}
