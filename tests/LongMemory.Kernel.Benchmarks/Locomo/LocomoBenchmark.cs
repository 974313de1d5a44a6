using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Reporting;
using LongMemory.Kernel.Benchmarks.Retrieval;

namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>
/// The <c>locomo</c> command: evidence recall@k of <see cref="ChatMemory.RecallAsync"/> (the recall context assembly
/// runs) on a LoCoMo-format file, per question category, next to a plain BM25 baseline over the same turn texts.
/// </summary>
internal static class LocomoBenchmark
{
    /// <summary>Categories counted in the overall figure: 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop (5, adversarial, is reported apart).</summary>
    public static readonly int[] OverallCategories = [1, 2, 3, 4];

    private static readonly Dictionary<int, string> CategoryNames = new()
    {
        [1] = "multi-hop",
        [2] = "temporal",
        [3] = "open-domain",
        [4] = "single-hop",
        [5] = "adversarial",
    };

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var data = args.RequiredString("data");
        var output = args.String("out");
        var sweep = args.Flag("sweep");
        var embedder = ReadEmbedderOptions(args);
        var options = new LocomoRunOptions
        {
            Ks = args.IntList("k", [5, 10, 20]),
            KeywordWeight = args.Double("keyword-weight"),
            VectorWeight = args.Double("vector-weight"),
            NeighborTurns = args.String("neighbors") is null ? null : args.Int("neighbors", 0),
            DateInText = args.Flag("date-in-text"),
            Embedder = embedder,
        };
        args.EnsureAllUsed();

        var total = Stopwatch.StartNew();
        var conversations = LocomoDataset.Load(data);
        Console.WriteLine($"LoCoMo: {conversations.Count} conversations, {conversations.Sum(c => c.Sessions.Sum(s => s.Turns.Count))} turns, {conversations.Sum(c => c.Questions.Count)} questions from {data}");

        await using var memory = BuildMemory(options);
        var ingestWatch = Stopwatch.StartNew();
        var ingested = new List<IngestedConversation>();
        foreach (var conversation in conversations)
        {
            ingested.Add(await LocomoIngestion.IngestAsync(memory, conversation, options.DateInText).ConfigureAwait(false));
        }

        ingestWatch.Stop();
        var result = await EvaluateAsync(memory, ingested, options).ConfigureAwait(false);
        total.Stop();

        PrintTable(result, options.Ks);
        var target = result.Memory.Recall(10, OverallCategories) / Math.Max(1e-9, result.Baseline.Recall(10, OverallCategories));
        if (options.Ks.Contains(10))
        {
            Console.WriteLine($"recall@10 ChatMemory / BM25 = {target.ToString("F3", CultureInfo.InvariantCulture)} (target >= 1.10)");
        }

        Console.WriteLine($"skipped evidence ids: {result.SkippedMissing} pointing to no turn, {result.SkippedUnparsable} unparsable; {result.QuestionsWithoutEvidence} questions left without evidence");
        Console.WriteLine($"ingest {ingestWatch.Elapsed.TotalSeconds:F1} s, recall p50 {Percentile(result.LatenciesMs, 0.5):F2} ms, p95 {Percentile(result.LatenciesMs, 0.95):F2} ms, total {total.Elapsed.TotalSeconds:F1} s");

        if (sweep)
        {
            await SweepAsync(memory, ingested, options).ConfigureAwait(false);
        }

        if (output is not null)
        {
            var json = ToJson(memory, result, options, data, ingestWatch.Elapsed, total.Elapsed);
            JsonReport.Write(output, json);
            Console.WriteLine($"wrote {output}");
        }

        return 0;
    }

    internal static ChatMemory BuildMemory(LocomoRunOptions options)
    {
        var builder = new ChatMemoryBuilder().UseInMemoryDatabase();
        if (options.Embedder is not null)
        {
            builder.UseEmbeddingGenerator(new HashingEmbeddingGenerator(options.Embedder));
        }

        return builder.Build();
    }

    internal static async Task<LocomoResult> EvaluateAsync(ChatMemory memory, IReadOnlyList<IngestedConversation> conversations, LocomoRunOptions options, bool withBaseline = true)
    {
        var result = new LocomoResult(new RecallAtK(options.Ks), new RecallAtK(options.Ks));
        var recallOptions = new RecallOptions
        {
            Collections = [MemoryCollections.Logs],
            TopK = options.MaxK,
            AcrossSessions = true,
            NeighborTurns = options.NeighborTurns ?? 0,
        };
        if (options.KeywordWeight is { } kw)
        {
            recallOptions.KeywordWeight = kw;
        }

        if (options.VectorWeight is { } vw)
        {
            recallOptions.VectorWeight = vw;
        }

        foreach (var conversation in conversations)
        {
            var known = conversation.Turns.Select(t => t.DiaId).ToHashSet(StringComparer.Ordinal);
            var baseline = withBaseline ? new Bm25Index(conversation.Turns.Select(t => t.Text)) : null;
            foreach (var question in conversation.Conversation.Questions)
            {
                var unparsable = new List<string>();
                var evidence = new HashSet<string>(StringComparer.Ordinal);
                foreach (var raw in question.RawEvidence)
                {
                    foreach (var id in EvidenceIds.Normalize(raw, unparsable))
                    {
                        if (known.Contains(id))
                        {
                            evidence.Add(id);
                        }
                        else
                        {
                            result.SkippedMissing++;
                        }
                    }
                }

                result.SkippedUnparsable += unparsable.Count;
                if (evidence.Count == 0)
                {
                    result.QuestionsWithoutEvidence++;
                    continue;
                }

                var watch = Stopwatch.StartNew();
                var hits = options.UsesLibraryRecall
                    ? await memory.Engine.Assembler.RecallPastConversationAsync(
                        conversation.LastSessionScope, question.Question, await memory.Engine.Indexing.EmbedAsync(question.Question, default).ConfigureAwait(false), options.MaxK, null, default).ConfigureAwait(false)
                    : await memory.ForScope(conversation.LastSessionScope).RecallAsync(question.Question, recallOptions).ConfigureAwait(false);
                watch.Stop();
                result.LatenciesMs.Add(watch.Elapsed.TotalMilliseconds);
                result.Memory.Add(question.Category, evidence, RankedTurns(hits, conversation.DiaIdByMessageId));

                if (baseline is not null)
                {
                    var ranked = baseline.Search(question.Question, options.MaxK).Select(i => conversation.Turns[i].DiaId).ToList();
                    result.Baseline.Add(question.Category, evidence, ranked);
                }
            }
        }

        return result;
    }

    /// <summary>The retrieved turns in rank order: each hit, then its neighbours nearest first.</summary>
    internal static IReadOnlyList<string> RankedTurns(IReadOnlyList<RecallHit> hits, IReadOnlyDictionary<long, string> diaIds)
    {
        var ranked = new List<string>();
        foreach (var hit in hits)
        {
            if (hit.MessageId is { } id && diaIds.TryGetValue(id, out var diaId))
            {
                ranked.Add(diaId);
            }

            if (hit.Neighbors.Count > 0 && hit.MessageId is { } center)
            {
                foreach (var neighbor in hit.Neighbors.Where(n => n.Id != center).OrderBy(n => Math.Abs(n.Id - center)).ThenBy(n => n.Id))
                {
                    if (diaIds.TryGetValue(neighbor.Id, out var neighborId))
                    {
                        ranked.Add(neighborId);
                    }
                }
            }
        }

        return ranked;
    }

    private static async Task SweepAsync(ChatMemory memory, IReadOnlyList<IngestedConversation> ingested, LocomoRunOptions options)
    {
        Console.WriteLine();
        Console.WriteLine("sweep (overall, categories 1-4):");
        Console.WriteLine("  kw    vec   nb   " + string.Join("  ", options.Ks.Select(k => $"R@{k,-4}")));
        (double Kw, double Vec)[] weights = [(1, 1), (1, 0.75), (1, 0.5), (1, 0.35), (1, 0.25), (1, 0.15), (1, 0), (0, 1)];
        foreach (var neighbors in new[] { 0, 1 })
        {
            foreach (var (kw, vec) in weights)
            {
                var run = options with { KeywordWeight = kw, VectorWeight = vec, NeighborTurns = neighbors };
                var result = await EvaluateAsync(memory, ingested, run, withBaseline: false).ConfigureAwait(false);
                Console.WriteLine($"  {kw,-5:0.##} {vec,-5:0.##} {neighbors,-4} " + string.Join("  ", options.Ks.Select(k => $"{result.Memory.Recall(k, OverallCategories),-6:F3}")));
            }
        }
    }

    private static HashingEmbeddingGeneratorOptions? ReadEmbedderOptions(CommandArguments args)
    {
        var defaults = new HashingEmbeddingGeneratorOptions();
        var dims = args.Int("dims", defaults.Dimensions);
        var word = args.Double("word-weight");
        var bigram = args.Double("bigram-weight");
        var chars = args.Double("char-weight");
        var minGram = args.Int("min-gram", defaults.MinCharNGram);
        var maxGram = args.Int("max-gram", defaults.MaxCharNGram);
        if (dims == defaults.Dimensions && word is null && bigram is null && chars is null && minGram == defaults.MinCharNGram && maxGram == defaults.MaxCharNGram)
        {
            return null;
        }

        return new HashingEmbeddingGeneratorOptions
        {
            Dimensions = dims,
            WordWeight = (float)(word ?? defaults.WordWeight),
            BigramWeight = (float)(bigram ?? defaults.BigramWeight),
            CharNGramWeight = (float)(chars ?? defaults.CharNGramWeight),
            MinCharNGram = minGram,
            MaxCharNGram = maxGram,
        };
    }

    private static void PrintTable(LocomoResult result, IReadOnlyList<int> ks)
    {
        var header = $"{"category",-16} {"n",5}  " + string.Join(" ", ks.Select(k => $"{"R@" + k,7}")) + "   | BM25 " + string.Join(" ", ks.Select(k => $"{"R@" + k,7}"));
        Console.WriteLine();
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var category in result.Memory.Categories)
        {
            Row($"{category} {CategoryNames.GetValueOrDefault(category, "?")}", [category]);
        }

        Console.WriteLine(new string('-', header.Length));
        Row("overall (1-4)", OverallCategories);
        Console.WriteLine();

        void Row(string label, int[] categories)
        {
            Console.WriteLine(
                $"{label,-16} {result.Memory.QuestionsIn(categories),5}  "
                + string.Join(" ", ks.Select(k => $"{result.Memory.Recall(k, categories),7:F3}"))
                + "   |      "
                + string.Join(" ", ks.Select(k => $"{result.Baseline.Recall(k, categories),7:F3}")));
        }
    }

    private static JsonObject ToJson(ChatMemory memory, LocomoResult result, LocomoRunOptions options, string data, TimeSpan ingest, TimeSpan total)
    {
        JsonObject RecallOf(RecallAtK recall, int[] categories)
        {
            var node = new JsonObject();
            foreach (var k in options.Ks)
            {
                node[k.ToString(CultureInfo.InvariantCulture)] = Math.Round(recall.Recall(k, categories), 4);
            }

            return node;
        }

        var byCategory = new JsonObject();
        var baselineByCategory = new JsonObject();
        var counts = new JsonObject();
        foreach (var category in result.Memory.Categories)
        {
            var key = category.ToString(CultureInfo.InvariantCulture);
            byCategory[key] = RecallOf(result.Memory, [category]);
            baselineByCategory[key] = RecallOf(result.Baseline, [category]);
            counts[key] = result.Memory.Questions(category);
        }

        return new JsonObject
        {
            ["dataset"] = Path.GetFileName(data),
            ["questions"] = result.Memory.QuestionsIn(OverallCategories),
            ["questions_by_category"] = counts,
            ["recall"] = RecallOf(result.Memory, OverallCategories),
            ["by_category"] = byCategory,
            ["baseline_bm25"] = new JsonObject
            {
                ["recall"] = RecallOf(result.Baseline, OverallCategories),
                ["by_category"] = baselineByCategory,
                ["k1"] = 1.2,
                ["b"] = 0.75,
            },
            ["ratio_recall10_vs_bm25"] = options.Ks.Contains(10) ? Math.Round(result.Memory.Recall(10, OverallCategories) / Math.Max(1e-9, result.Baseline.Recall(10, OverallCategories)), 4) : null,
            ["skipped_evidence"] = new JsonObject
            {
                ["missing_turn"] = result.SkippedMissing,
                ["unparsable"] = result.SkippedUnparsable,
                ["questions_without_evidence"] = result.QuestionsWithoutEvidence,
            },
            ["options"] = new JsonObject
            {
                ["recall_path"] = options.UsesLibraryRecall ? "context assembly (past conversation)" : "RecallAsync with overrides",
                ["keyword_weight"] = options.KeywordWeight ?? new RecallOptions().KeywordWeight,
                ["vector_weight"] = options.VectorWeight ?? memory.DefaultVectorWeight,
                ["neighbor_turns"] = options.NeighborTurns ?? memory.Options.Context.NeighborTurns,
                ["min_relevance"] = options.UsesLibraryRecall ? memory.Options.Context.MinRelevance : 0,
                ["date_in_text"] = options.DateInText,
                ["embedder"] = options.Embedder is null ? "default" : new HashingEmbeddingGenerator(options.Embedder).ModelId,
            },
            ["recall_latency_ms"] = new JsonObject
            {
                ["p50"] = Math.Round(Percentile(result.LatenciesMs, 0.5), 3),
                ["p95"] = Math.Round(Percentile(result.LatenciesMs, 0.95), 3),
            },
            ["elapsed_s"] = new JsonObject
            {
                ["ingest"] = Math.Round(ingest.TotalSeconds, 2),
                ["total"] = Math.Round(total.TotalSeconds, 2),
            },
            ["machine"] = MachineInfo.ToJson(),
        };
    }

    internal static double Percentile(List<double> values, double p) => Reporting.Percentiles.Of(values, p);
}
