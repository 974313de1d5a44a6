using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Locomo;
using LongMemory.Kernel.Benchmarks.Micro;
using LongMemory.Kernel.Benchmarks.Middleware;
using LongMemory.Kernel.Benchmarks.Perf;
using LongMemory.Kernel.Benchmarks.Reducers;

namespace LongMemory.Kernel.Benchmarks;

/// <summary>Dispatches the subcommands: <c>locomo</c>, <c>perf</c>, <c>reducers</c> and <c>micro</c>.</summary>
/// <summary>Dispatches the subcommands: <c>locomo</c>, <c>perf</c>, <c>middleware</c> and <c>micro</c>.</summary>
internal static class BenchmarkProgram
{
    private const string Usage = """
        LongMemory.Kernel benchmarks (run with: dotnet run -c Release --project tests/LongMemory.Kernel.Benchmarks -- <command>)

          locomo --data FILE [--k 5,10,20] [--out FILE] [--keyword-weight W] [--vector-weight W] [--neighbors N]
                 [--date-in-text] [--limit-questions N]
              Evidence recall@k of ChatMemory.RecallAsync on a LoCoMo-format file, with a plain BM25 baseline.
          perf [--messages N] [--sessions S] [--durability normal|full] [--out FILE] [--keep-db]
              Ingest throughput, recall and context assembly latency, token counting, vector scan efficiency,
              prompt tokens per turn with memory vs. full history.
          perf --store sqlite,postgres [--postgres CONNECTION_STRING] [--messages 10000,100000] [--sessions S]
                 [--synchronous-commit on|off] [--out FILE] [--keep-db]
              The whole memory on each store in one run, at each size: ingest messages/s, recall and context assembly
              p50/p95, the PostgreSQL server's settings (PostgreSQL: --postgres or LONGMEMORY_POSTGRES_URL).
          perf --store sqlite,postgres --index-only [--postgres CONNECTION_STRING] [--messages N] [--out FILE]
              The IMemoryIndex alone: upsert and search p50/p95 of each store in one run.
          reducers [--out FILE]
              SK's truncation and summarization reducers vs. LongMemoryChatHistoryReducer on one 1,000-message history.
          middleware [--turns N] [--warmup N] [--replay]
              Overhead of LongMemoryChatClient per turn (p50/p95) against a direct call to the same instant fake model.
          micro [BenchmarkDotNet arguments, e.g. --filter *]
              BenchmarkDotNet micro-benchmarks of the hot paths (hashing embedder, cosine scan, BPE counting).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }

        try
        {
            switch (args[0])
            {
                case "locomo":
                    return await LocomoBenchmark.RunAsync(CommandArguments.Parse(args.AsSpan(1))).ConfigureAwait(false);
                case "perf":
                    return await PerfBenchmark.RunAsync(CommandArguments.Parse(args.AsSpan(1))).ConfigureAwait(false);
                case "reducers":
                    return await ReducerComparison.RunAsync(CommandArguments.Parse(args.AsSpan(1))).ConfigureAwait(false);
                case "middleware":
                    return await MiddlewareBenchmark.RunAsync(CommandArguments.Parse(args.AsSpan(1))).ConfigureAwait(false);
                case "micro":
                    return MicroBenchmarks.Run(args[1..]);
                default:
                    Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                    Console.Error.WriteLine(Usage);
                    return 1;
            }
        }
        catch (CommandLineException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }
}
