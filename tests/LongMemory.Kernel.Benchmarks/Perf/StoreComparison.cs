using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LongMemory.Kernel.Benchmarks.Reporting;
using LongMemory.Kernel.PostgreSql;
using Npgsql;

namespace LongMemory.Kernel.Benchmarks.Perf;

/// <summary>
/// <c>perf --store sqlite,postgres</c>: the same <see cref="IMemoryIndex"/> work on each store, one after the other in
/// one run: one synthetic user's messages upserted one chat turn (2 items) per call, then hybrid, keyword-only and
/// vector-only searches at the full size. PostgreSQL comes from <c>--postgres</c> or <c>LONGMEMORY_POSTGRES_URL</c>;
/// the run works in a schema of its own and drops it afterwards. Each store is warmed up on a throw-away index first.
/// </summary>
internal static class StoreComparison
{
    private const string Owner = "user:perf-user";
    private static readonly HashingEmbeddingGenerator Embedder = new();

    public static async Task<JsonObject> RunAsync(IReadOnlyList<string> stores, int messages, int sessions, string? postgres, string folder, bool keep)
    {
        var report = new JsonObject();
        var corpus = Corpus(messages, sessions);
        var queries = Queries(300);
        foreach (var store in stores)
        {
            await using var warmUp = await OpenAsync(store, postgres, folder, "warmup", keep: false).ConfigureAwait(false);
            await MeasureAsync(warmUp.Index, corpus.Take(600).ToList(), queries.Take(100).ToList(), searches: 200).ConfigureAwait(false);

            await using var target = await OpenAsync(store, postgres, folder, "perf", keep).ConfigureAwait(false);
            var result = await MeasureAsync(target.Index, corpus, queries, searches: 600).ConfigureAwait(false);
            result["server"] = target.Server;
            report[store] = result;
            Console.WriteLine(
                $"{store}: {corpus.Count:N0} items; upsert (one turn, 2 items) p50 {result["upsert_p50_ms"]} ms, p95 {result["upsert_p95_ms"]} ms, " +
                $"{result["items_per_s"]} items/s; hybrid search p50 {result["hybrid_p50_ms"]} ms, p95 {result["hybrid_p95_ms"]} ms; " +
                $"keyword p50 {result["keyword_p50_ms"]} ms, p95 {result["keyword_p95_ms"]} ms; vector p50 {result["vector_p50_ms"]} ms, p95 {result["vector_p95_ms"]} ms");
        }

        return report;
    }

    private static async Task<JsonObject> MeasureAsync(IMemoryIndex index, List<MemoryItem> corpus, List<(string Text, float[] Vector)> queries, int searches)
    {
        await index.EnsureEmbeddingModelAsync(Embedder.ModelId, Embedder.Dimensions).ConfigureAwait(false);
        var upsertMs = new List<double>(corpus.Count / 2);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < corpus.Count; i += 2)
        {
            var turn = corpus.GetRange(i, Math.Min(2, corpus.Count - i));
            var watch = Stopwatch.StartNew();
            await index.UpsertAsync(turn).ConfigureAwait(false);
            upsertMs.Add(watch.Elapsed.TotalMilliseconds);
        }

        total.Stop();
        var filter = new MemoryFilter(Owner) { Collections = [MemoryCollections.Logs] };
        var hybrid = await TimeAsync(searches, i => index.SearchAsync(new MemorySearchRequest(filter) { QueryText = queries[i % queries.Count].Text, QueryVector = queries[i % queries.Count].Vector, Top = 10 })).ConfigureAwait(false);
        var keyword = await TimeAsync(searches / 2, i => index.SearchAsync(new MemorySearchRequest(filter) { QueryText = queries[i % queries.Count].Text, Top = 10 })).ConfigureAwait(false);
        var vector = await TimeAsync(searches / 2, i => index.SearchAsync(new MemorySearchRequest(filter) { QueryVector = queries[i % queries.Count].Vector, Top = 10 })).ConfigureAwait(false);
        return new JsonObject
        {
            ["items"] = await index.CountAsync(new MemoryFilter(Owner)).ConfigureAwait(false),
            ["dimensions"] = Embedder.Dimensions,
            ["upsert_calls"] = upsertMs.Count,
            ["upsert_p50_ms"] = Math.Round(Percentiles.Of(upsertMs, 0.5), 3),
            ["upsert_p95_ms"] = Math.Round(Percentiles.Of(upsertMs, 0.95), 3),
            ["items_per_s"] = Math.Round(corpus.Count / total.Elapsed.TotalSeconds),
            ["searches"] = hybrid.Count,
            ["hybrid_p50_ms"] = Math.Round(Percentiles.Of(hybrid, 0.5), 3),
            ["hybrid_p95_ms"] = Math.Round(Percentiles.Of(hybrid, 0.95), 3),
            ["keyword_p50_ms"] = Math.Round(Percentiles.Of(keyword, 0.5), 3),
            ["keyword_p95_ms"] = Math.Round(Percentiles.Of(keyword, 0.95), 3),
            ["vector_p50_ms"] = Math.Round(Percentiles.Of(vector, 0.5), 3),
            ["vector_p95_ms"] = Math.Round(Percentiles.Of(vector, 0.95), 3),
        };
    }

    private static async Task<List<double>> TimeAsync(int count, Func<int, Task<IReadOnlyList<MemoryHit>>> search)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await search(i).ConfigureAwait(false);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task<OpenStore> OpenAsync(string store, string? postgres, string folder, string name, bool keep)
    {
        if (store == "sqlite")
        {
            var database = new SqliteMemoryDatabase(Path.Combine(folder, name + "-index.db"));
            return new OpenStore(new SqliteMemoryIndex(database), new JsonObject { ["database"] = "SQLite file (WAL, synchronous=NORMAL)" }, () =>
            {
                database.Dispose();
                return Task.CompletedTask;
            });
        }

        var schema = "perf_" + name + "_" + Guid.NewGuid().ToString("N")[..8];
        var index = new PostgresMemoryIndex(new PostgreSqlMemoryOptions { ConnectionString = postgres, Schema = schema });
        var server = await DescribeServerAsync(index.Database.DataSource).ConfigureAwait(false);
        return new OpenStore(index, server, async () =>
        {
            if (keep)
            {
                Console.WriteLine($"kept schema {schema}");
                await index.DisposeAsync().ConfigureAwait(false);
                return;
            }

            await using (var connection = await index.Database.DataSource.OpenConnectionAsync().ConfigureAwait(false))
            await using (var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE;", connection))
            {
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await index.DisposeAsync().ConfigureAwait(false);
        });
    }

    internal static async Task<JsonObject> DescribeServerAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            SELECT current_setting('server_version'), current_setting('shared_buffers'), current_setting('synchronous_commit'),
                   current_setting('fsync'), current_setting('work_mem'), current_setting('max_connections'),
                   (SELECT extversion FROM pg_extension WHERE extname = 'vector'), host(inet_server_addr()),
                   current_setting('effective_cache_size'), current_setting('maintenance_work_mem'), current_setting('wal_level'),
                   current_setting('max_wal_size'), current_setting('wal_compression');
            """, connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        var server = new JsonObject
        {
            ["database"] = "PostgreSQL",
            ["server_version"] = reader.GetString(0),
            ["shared_buffers"] = reader.GetString(1),
            ["synchronous_commit"] = reader.GetString(2),
            ["fsync"] = reader.GetString(3),
            ["work_mem"] = reader.GetString(4),
            ["max_connections"] = reader.GetString(5),
            ["pgvector"] = reader.IsDBNull(6) ? null : reader.GetString(6),
            ["address"] = reader.IsDBNull(7) ? "unix socket" : reader.GetString(7),
            ["effective_cache_size"] = reader.GetString(8),
            ["maintenance_work_mem"] = reader.GetString(9),
            ["wal_level"] = reader.GetString(10),
            ["max_wal_size"] = reader.GetString(11),
            ["wal_compression"] = reader.GetString(12),
        };
        Console.WriteLine(
            $"postgres: PostgreSQL {server["server_version"]} at {server["address"]}, pgvector {server["pgvector"]}, shared_buffers {server["shared_buffers"]}, " +
            $"synchronous_commit {server["synchronous_commit"]}, fsync {server["fsync"]}, work_mem {server["work_mem"]}, " +
            $"effective_cache_size {server["effective_cache_size"]}, maintenance_work_mem {server["maintenance_work_mem"]}, wal_level {server["wal_level"]}, " +
            $"max_wal_size {server["max_wal_size"]}, wal_compression {server["wal_compression"]}, max_connections {server["max_connections"]}");
        return server;
    }

    private static List<MemoryItem> Corpus(int messages, int sessions)
    {
        var chat = new SyntheticChat(seed: 42);
        var items = new List<MemoryItem>(messages);
        var perSession = Math.Max(2, messages / sessions);
        var start = new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < messages; i++)
        {
            if (i % perSession == 0)
            {
                chat.StartSession(i / perSession);
            }

            var text = i % 2 == 0 ? chat.UserMessage() : chat.AssistantMessage();
            var vector = new float[Embedder.Dimensions];
            Embedder.Embed(text, vector);
            var id = i.ToString(CultureInfo.InvariantCulture);
            items.Add(new MemoryItem
            {
                Id = "msg:" + id + ":0",
                Collection = MemoryCollections.Logs,
                UserId = Owner,
                SessionId = "session-" + (i / perSession).ToString(CultureInfo.InvariantCulture),
                Text = text,
                Vector = vector,
                CreatedAt = start.AddMinutes(i),
                Payload = new Dictionary<string, string> { ["message_id"] = id, ["role"] = i % 2 == 0 ? "user" : "assistant" },
            });
        }

        return items;
    }

    private static List<(string Text, float[] Vector)> Queries(int count)
    {
        var chat = new SyntheticChat(seed: 99);
        var queries = new List<(string, float[])>(count);
        for (var i = 0; i < count; i++)
        {
            chat.StartSession(i);
            var text = chat.UserMessage();
            var vector = new float[Embedder.Dimensions];
            Embedder.Embed(text, vector);
            queries.Add((text, vector));
        }

        return queries;
    }

    private sealed class OpenStore(IMemoryIndex index, JsonObject server, Func<Task> close) : IAsyncDisposable
    {
        public IMemoryIndex Index { get; } = index;

        public JsonObject Server { get; } = server;

        public async ValueTask DisposeAsync() => await close().ConfigureAwait(false);
    }
}
