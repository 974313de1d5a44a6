using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Reporting;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Benchmarks.Perf;

/// <summary>
/// The <c>perf</c> command: end-to-end figures of the default configuration (SQLite file, hashing embedder, inline
/// indexing, o200k_base counting) for one synthetic user with many sessions. Every phase is warmed up before timing.
/// </summary>
internal static class PerfBenchmark
{
    private const string UserId = "perf-user";
    private static readonly int[] PromptCheckpoints = [100, 500, 1000];

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var stores = StoreList(args.String("store"));
        if (stores is not null && !args.Flag("index-only"))
        {
            return await MemoryStoreComparison.RunAsync(stores, args).ConfigureAwait(false);
        }

        var messages = args.Int("messages", 10_000);
        var sessions = args.Int("sessions", 50);
        var output = args.String("out");
        var keepDb = args.Flag("keep-db");
        var durability = args.String("durability") switch
        {
            null or "normal" => SqliteDurability.Normal,
            "full" => SqliteDurability.Full,
            var other => throw new CommandLineException($"--durability must be normal or full, not '{other}'."),
        };
        var postgres = args.String("postgres") ?? Environment.GetEnvironmentVariable("LONGMEMORY_POSTGRES_URL");
        args.EnsureAllUsed();
        if (messages < 2 || sessions < 1 || messages / sessions < 2)
        {
            throw new CommandLineException("--messages must be at least 2 per session.");
        }

        if (stores is not null)
        {
            return await RunStoreComparisonAsync(stores, messages, sessions, postgres, output, keepDb).ConfigureAwait(false);
        }

        Console.WriteLine($"perf: {messages:N0} messages in {sessions} sessions; {MachineInfo.Describe()}");
        var report = new JsonObject { ["machine"] = MachineInfo.ToJson() };
        var folder = Path.Combine(Path.GetTempPath(), "longmemory-perf-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await WarmUpAsync(Path.Combine(folder, "warmup.db")).ConfigureAwait(false);

            var path = Path.Combine(folder, "perf.db");
            await using (var memory = new ChatMemoryBuilder().UseSqlite(path, durability).Build())
            {
                report["config"] = new JsonObject
                {
                    ["messages"] = messages,
                    ["sessions"] = sessions,
                    ["database"] = "SQLite file (WAL)",
                    ["durability"] = durability.ToString(),
                    ["indexing"] = memory.Options.IndexingMode.ToString(),
                    ["embedder"] = memory.Embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId,
                    ["token_counter"] = "o200k_base",
                    ["messages_per_add_call"] = 2,
                };

                var (scope, texts) = await MeasureIngestAsync(memory, messages, sessions, report, "ingest").ConfigureAwait(false);
                report["database_bytes"] = DatabaseBytes(path);
                await MeasureRecallAsync(memory, scope, report).ConfigureAwait(false);
                await MeasureContextAssemblyAsync(memory, scope, report).ConfigureAwait(false);
                MeasureTokenCounting(texts, report);
                await MeasureVectorScanAsync(memory, report).ConfigureAwait(false);
            }

            // The same ingest with the other durability setting, on its own file, so both are reported by one run.
            var other = durability == SqliteDurability.Normal ? SqliteDurability.Full : SqliteDurability.Normal;
            await using (var memory = new ChatMemoryBuilder().UseSqlite(Path.Combine(folder, "other.db"), other).Build())
            {
                await MeasureIngestAsync(memory, messages, sessions, report, "ingest_" + other.ToString().ToLowerInvariant() + "_durability").ConfigureAwait(false);
            }

            await MeasurePromptTokensAsync(Path.Combine(folder, "prompt.db"), report).ConfigureAwait(false);
            report["targets"] = Targets(report);
            PrintTargets((JsonObject)report["targets"]!);
            if (output is not null)
            {
                JsonReport.Write(output, report);
                Console.WriteLine($"wrote {output}");
            }
        }
        finally
        {
            if (!keepDb)
            {
                TryDelete(folder);
            }
            else
            {
                Console.WriteLine($"kept {folder}");
            }
        }

        return 0;
    }

    internal static List<string>? StoreList(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var stores = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (stores.Count == 0 || stores.Any(s => s is not ("sqlite" or "postgres")))
        {
            throw new CommandLineException($"--store takes sqlite, postgres or both (sqlite,postgres), not '{value}'.");
        }

        return stores;
    }

    /// <summary>The index of each store, measured in one run (see <see cref="StoreComparison"/>).</summary>
    private static async Task<int> RunStoreComparisonAsync(List<string> stores, int messages, int sessions, string? postgres, string? output, bool keepDb)
    {
        if (stores.Contains("postgres") && string.IsNullOrWhiteSpace(postgres))
        {
            throw new CommandLineException("--store postgres needs --postgres CONNECTION_STRING or LONGMEMORY_POSTGRES_URL (.ci/postgres-test-server.sh prints one).");
        }

        Console.WriteLine($"perf --store {string.Join(',', stores)}: {messages:N0} index items; {MachineInfo.Describe()}");
        var folder = Path.Combine(Path.GetTempPath(), "longmemory-perf-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var report = new JsonObject
            {
                ["machine"] = MachineInfo.ToJson(),
                ["index_stores"] = await StoreComparison.RunAsync(stores, messages, sessions, postgres, folder, keepDb).ConfigureAwait(false),
            };
            if (output is not null)
            {
                JsonReport.Write(output, report);
                Console.WriteLine($"wrote {output}");
            }
        }
        finally
        {
            TryDelete(folder);
        }

        return 0;
    }

    /// <summary>Runs every measured path once on a throw-away database so JIT and caches are warm.</summary>
    private static async Task WarmUpAsync(string path)
    {
        await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();
        await WarmUpAsync(memory).ConfigureAwait(false);
    }

    /// <summary>Runs every measured path once on a throw-away memory of any store so JIT, pools and caches are warm.</summary>
    internal static async Task WarmUpAsync(ChatMemory memory)
    {
        var watch = Stopwatch.StartNew();
        var chat = new SyntheticChat(seed: 7);
        ChatSession? session = null;
        for (var s = 0; s < 4; s++)
        {
            chat.StartSession(s);
            session = await memory.CreateSessionAsync(UserId, "warm-up " + s).ConfigureAwait(false);
            for (var t = 0; t < 60; t++)
            {
                await memory.ForScope(session.Scope).AddMessagesAsync(Turn(chat, DateTimeOffset.UtcNow)).ConfigureAwait(false);
            }
        }

        for (var i = 0; i < 200; i++)
        {
            var query = chat.UserMessage();
            await memory.RecallAsync(session!.Scope, query).ConfigureAwait(false);
            await memory.ForScope(session.Scope).AssembleContextAsync([new ChatMessage(ChatRole.User, query)]).ConfigureAwait(false);
        }

        Console.WriteLine($"warm-up: {watch.Elapsed.TotalSeconds:F1} s");
    }

    internal static async Task<(MemoryScope LastScope, List<string> Texts)> MeasureIngestAsync(ChatMemory memory, int messages, int sessions, JsonObject report, string name)
    {
        var chat = new SyntheticChat(seed: 42);
        var texts = new List<string>(messages);
        var callMs = new List<double>(messages / 2);
        var perSession = messages / sessions;
        var added = 0;
        var start = new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
        MemoryScope? last = null;
        var total = new Stopwatch();
        for (var s = 0; s < sessions; s++)
        {
            chat.StartSession(s);
            var session = await memory.CreateSessionAsync(UserId, "session " + s.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            last = session.Scope;
            var target = s == sessions - 1 ? messages - added : perSession;
            for (var m = 0; m < target; m += 2)
            {
                var turn = Turn(chat, start.AddDays(s * 3).AddMinutes(m));
                if (m + 1 == target)
                {
                    turn = turn[..1];
                }

                texts.AddRange(turn.Select(t => t.Text));
                var watch = Stopwatch.StartNew();
                total.Start();
                await memory.ForScope(session.Scope).AddMessagesAsync(turn).ConfigureAwait(false);
                total.Stop();
                watch.Stop();
                callMs.Add(watch.Elapsed.TotalMilliseconds);
                added += turn.Length;
            }
        }

        var status = await memory.GetIndexStatusAsync().ConfigureAwait(false);
        var rate = added / total.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {added:N0} messages in {total.Elapsed.TotalSeconds:F2} s = {rate:N0} messages/s (add call p50 {Percentiles.Of(callMs, 0.5):F2} ms, p95 {Percentiles.Of(callMs, 0.95):F2} ms)");
        report[name] = new JsonObject
        {
            ["messages"] = added,
            ["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 3),
            ["messages_per_s"] = Math.Round(rate, 1),
            ["add_call_p50_ms"] = Math.Round(Percentiles.Of(callMs, 0.5), 3),
            ["add_call_p95_ms"] = Math.Round(Percentiles.Of(callMs, 0.95), 3),
            ["index_status"] = status.ToString(),
        };
        return (last!, texts);
    }

    internal static async Task MeasureRecallAsync(ChatMemory memory, MemoryScope scope, JsonObject report)
    {
        var queries = Queries(seed: 99, count: 300);
        foreach (var query in queries.Take(50))
        {
            await memory.ForScope(scope).RecallAsync(query).ConfigureAwait(false);
        }

        var latencies = new List<double>();
        var hits = 0;
        for (var i = 0; i < 600; i++)
        {
            var watch = Stopwatch.StartNew();
            var result = await memory.ForScope(scope).RecallAsync(queries[i % queries.Count]).ConfigureAwait(false);
            watch.Stop();
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            hits += result.Count;
        }

        var items = await memory.Index.CountAsync(new MemoryFilter(scope.Owner.Key) { Collections = [MemoryCollections.Logs] }).ConfigureAwait(false);
        Console.WriteLine($"recall: {items:N0} index items, p50 {Percentiles.Of(latencies, 0.5):F2} ms, p95 {Percentiles.Of(latencies, 0.95):F2} ms");
        report["recall"] = new JsonObject
        {
            ["index_items"] = items,
            ["queries"] = latencies.Count,
            ["top_k"] = new RecallOptions().TopK,
            ["mean_hits"] = Math.Round(hits / (double)latencies.Count, 2),
            ["p50_ms"] = Math.Round(Percentiles.Of(latencies, 0.5), 3),
            ["p95_ms"] = Math.Round(Percentiles.Of(latencies, 0.95), 3),
            ["mean_ms"] = Math.Round(latencies.Average(), 3),
        };
    }

    internal static async Task MeasureContextAssemblyAsync(ChatMemory memory, MemoryScope scope, JsonObject report)
    {
        var queries = Queries(seed: 123, count: 200);
        IReadOnlyList<ChatMessage> system = [new ChatMessage(ChatRole.System, "You are a helpful assistant with long-term memory.")];
        foreach (var query in queries.Take(30))
        {
            await memory.ForScope(scope).AssembleContextAsync([new ChatMessage(ChatRole.User, query)], system).ConfigureAwait(false);
        }

        var latencies = new List<double>();
        var tokens = new List<double>();
        var recallStage = new List<double>();
        var assembleStage = new List<double>();
        for (var i = 0; i < 400; i++)
        {
            var watch = Stopwatch.StartNew();
            var context = await memory.ForScope(scope).AssembleContextAsync([new ChatMessage(ChatRole.User, queries[i % queries.Count])], system).ConfigureAwait(false);
            watch.Stop();
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            tokens.Add(context.Report.TotalTokens);
            recallStage.Add(context.Report.Timings.RecallMs);
            assembleStage.Add(context.Report.Timings.AssembleMs);
        }

        Console.WriteLine($"context assembly stages: recall p50 {Percentiles.Of(recallStage, 0.5):F2} ms, budgeting p50 {Percentiles.Of(assembleStage, 0.5):F2} ms, the rest is loading the session");

        Console.WriteLine($"context assembly: p50 {Percentiles.Of(latencies, 0.5):F2} ms, p95 {Percentiles.Of(latencies, 0.95):F2} ms, {tokens.Average():F0} prompt tokens");
        report["context_assembly"] = new JsonObject
        {
            ["calls"] = latencies.Count,
            ["p50_ms"] = Math.Round(Percentiles.Of(latencies, 0.5), 3),
            ["p95_ms"] = Math.Round(Percentiles.Of(latencies, 0.95), 3),
            ["mean_ms"] = Math.Round(latencies.Average(), 3),
            ["mean_prompt_tokens"] = Math.Round(tokens.Average(), 1),
            ["recall_stage_p50_ms"] = Math.Round(Percentiles.Of(recallStage, 0.5), 3),
            ["budgeting_stage_p50_ms"] = Math.Round(Percentiles.Of(assembleStage, 0.5), 3),
        };
    }

    private static void MeasureTokenCounting(List<string> texts, JsonObject report)
    {
        var counter = TiktokenTokenCounter.CreateO200kBase();
        long warm = 0;
        foreach (var text in texts.Take(2000))
        {
            warm += counter.CountTokens(text);
        }

        long tokens = 0;
        long chars = 0;
        var rounds = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3) || rounds < 2)
        {
            foreach (var text in texts)
            {
                tokens += counter.CountTokens(text);
                chars += text.Length;
            }

            rounds++;
        }

        watch.Stop();
        var rate = tokens / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"token counting: {tokens / rounds:N0} tokens a pass, {rounds} passes, {rate / 1e6:F2} M tokens/s");
        report["token_counting"] = new JsonObject
        {
            ["encoding"] = counter.EncodingName,
            ["texts"] = texts.Count,
            ["tokens_per_pass"] = tokens / rounds,
            ["chars_per_token"] = Math.Round(chars / (double)tokens, 3),
            ["passes"] = rounds,
            ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 3),
            ["tokens_per_s"] = Math.Round(rate),
        };
    }

    /// <summary>
    /// Vector search alone (a request with only a query vector) against a raw SIMD pass of
    /// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> over the same number of floats laid out contiguously.
    /// </summary>
    private static async Task MeasureVectorScanAsync(ChatMemory memory, JsonObject report)
    {
        var filter = new MemoryFilter(MemoryOwner.User(UserId).Key) { Collections = [MemoryCollections.Logs] };
        var items = (int)await memory.Index.CountAsync(filter).ConfigureAwait(false);
        var queries = Queries(seed: 5, count: 64);
        var vectors = new List<ReadOnlyMemory<float>>();
        foreach (var query in queries)
        {
            var embedding = await memory.Embedder.GenerateAsync([query]).ConfigureAwait(false);
            vectors.Add(embedding[0].Vector);
        }

        var dimensions = vectors[0].Length;
        for (var i = 0; i < 30; i++)
        {
            await memory.Index.SearchAsync(new MemorySearchRequest(filter) { QueryVector = vectors[i % vectors.Count], Top = 10 }).ConfigureAwait(false);
        }

        var searchMs = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var watch = Stopwatch.StartNew();
            await memory.Index.SearchAsync(new MemorySearchRequest(filter) { QueryVector = vectors[i % vectors.Count], Top = 10 }).ConfigureAwait(false);
            watch.Stop();
            searchMs.Add(watch.Elapsed.TotalMilliseconds);
        }

        // The same number of floats, contiguous: the raw cost of reading every vector once with SIMD dot products.
        var slab = new float[(long)items * dimensions];
        var random = new Random(1);
        for (var i = 0; i < slab.Length; i++)
        {
            slab[i] = (float)(random.NextDouble() - 0.5);
        }

        var rawMs = new List<double>();
        var sink = 0f;
        for (var pass = 0; pass < 330; pass++)
        {
            var query = vectors[pass % vectors.Count].Span;
            var watch = Stopwatch.StartNew();
            var best = float.MinValue;
            for (var row = 0; row < items; row++)
            {
                var score = TensorPrimitives.Dot(query, slab.AsSpan(row * dimensions, dimensions));
                if (score > best)
                {
                    best = score;
                }
            }

            watch.Stop();
            sink += best;
            if (pass >= 30)
            {
                rawMs.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var bytes = (long)items * dimensions * sizeof(float);
        var searchP50 = Percentiles.Of(searchMs, 0.5);
        var rawP50 = Percentiles.Of(rawMs, 0.5);
        var indexRate = bytes / (searchP50 / 1000);
        var rawRate = bytes / (rawP50 / 1000);
        Console.WriteLine($"vector scan: {items:N0} x {dimensions} floats = {bytes / 1048576.0:F1} MiB; index search p50 {searchP50:F3} ms ({indexRate / 1e9:F2} GB/s), raw SIMD pass p50 {rawP50:F3} ms ({rawRate / 1e9:F2} GB/s); efficiency {indexRate / rawRate:P1} (sink {sink:F1})");
        report["vector_scan"] = new JsonObject
        {
            ["items"] = items,
            ["dimensions"] = dimensions,
            ["bytes"] = bytes,
            ["index_search_p50_ms"] = Math.Round(searchP50, 4),
            ["index_search_p95_ms"] = Math.Round(Percentiles.Of(searchMs, 0.95), 4),
            ["raw_simd_pass_p50_ms"] = Math.Round(rawP50, 4),
            ["index_bytes_per_s"] = Math.Round(indexRate),
            ["raw_simd_bytes_per_s"] = Math.Round(rawRate),
            ["efficiency"] = Math.Round(indexRate / rawRate, 4),
        };
    }

    /// <summary>Prompt tokens per turn with memory (assembled context) vs. sending the whole history, in one long session.</summary>
    private static async Task MeasurePromptTokensAsync(string path, JsonObject report)
    {
        await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();
        var counter = memory.TokenCounter;
        var chat = new SyntheticChat(seed: 2024);
        chat.StartSession(3);
        var session = await memory.CreateSessionAsync(UserId + "-prompt", "one long session").ConfigureAwait(false);
        IReadOnlyList<ChatMessage> system = [new ChatMessage(ChatRole.System, "You are a helpful assistant with long-term memory.")];
        var history = new List<ChatMessage>(system);
        var rows = new JsonArray();
        var turns = 0;
        var start = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);
        foreach (var checkpoint in PromptCheckpoints)
        {
            while (turns < checkpoint)
            {
                if (turns % 40 == 0)
                {
                    chat.StartSession(turns / 40);
                }

                var turn = Turn(chat, start.AddMinutes(turns * 2));
                await memory.ForScope(session.Scope).AddMessagesAsync(turn).ConfigureAwait(false);
                history.AddRange(turn);
                turns++;
            }

            var question = new ChatMessage(ChatRole.User, chat.UserMessage());
            var context = await memory.ForScope(session.Scope).AssembleContextAsync([question], system).ConfigureAwait(false);
            var full = counter.CountTokens([.. history, question]);
            var withMemory = context.Report.TotalTokens;
            Console.WriteLine($"prompt tokens at {checkpoint} turns: with memory {withMemory:N0} (budget {context.Report.Budget:N0}), full history {full:N0} ({full / (double)withMemory:F1}x)");
            rows.Add(new JsonObject
            {
                ["turns"] = checkpoint,
                ["messages"] = history.Count - system.Count,
                ["with_memory_tokens"] = withMemory,
                ["full_history_tokens"] = full,
                ["saving_ratio"] = Math.Round(full / (double)withMemory, 2),
                ["budget"] = context.Report.Budget,
                ["budget_ok"] = context.Report.BudgetOk,
            });
        }

        report["prompt_tokens_per_turn"] = rows;
    }

    private static JsonObject Targets(JsonObject report)
    {
        JsonObject Row(double actual, double target, bool atMost) => new()
        {
            ["actual"] = Math.Round(actual, 3),
            ["target"] = target,
            ["met"] = atMost ? actual <= target : actual >= target,
        };

        return new JsonObject
        {
            ["recall_p95_ms_max"] = Row((double)report["recall"]!["p95_ms"]!, 10, atMost: true),
            ["context_assembly_p95_ms_max"] = Row((double)report["context_assembly"]!["p95_ms"]!, 20, atMost: true),
            ["ingest_messages_per_s_min"] = Row((double)report["ingest"]!["messages_per_s"]!, 1000, atMost: false),
            ["token_counting_tokens_per_s_min"] = Row((double)report["token_counting"]!["tokens_per_s"]!, 1_000_000, atMost: false),
        };
    }

    private static void PrintTargets(JsonObject targets)
    {
        Console.WriteLine();
        foreach (var (name, value) in targets)
        {
            Console.WriteLine($"{name,-34} actual {value!["actual"],12}  target {value["target"],10}  {((bool)value["met"]! ? "met" : "MISSED")}");
        }
    }

    private static ChatMessage[] Turn(SyntheticChat chat, DateTimeOffset at) =>
    [
        new ChatMessage(ChatRole.User, chat.UserMessage()) { CreatedAt = at },
        new ChatMessage(ChatRole.Assistant, chat.AssistantMessage()) { CreatedAt = at.AddSeconds(20) },
    ];

    private static List<string> Queries(int seed, int count)
    {
        var chat = new SyntheticChat(seed);
        var queries = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            chat.StartSession(i);
            queries.Add(chat.UserMessage());
        }

        return queries;
    }

    private static long DatabaseBytes(string path)
        => new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    internal static void TryDelete(string folder)
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
