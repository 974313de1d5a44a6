using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>
/// The <c>micro</c> command: BenchmarkDotNet over the hot paths. The default job is BenchmarkDotNet's short run
/// (3 warm-up and 3 measured iterations, one launch) in process, so the whole set finishes in a few minutes and needs
/// no generated project build; pass <c>--job</c> or other BenchmarkDotNet arguments for longer runs.
/// </summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.P95)
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);

        // Without a filter BenchmarkDotNet asks interactively; run everything instead.
        if (!args.Any(a => a.StartsWith("--filter", StringComparison.Ordinal) || a == "-f"))
        {
            args = [.. args, "--filter", "*"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
