using BenchmarkDotNet.Attributes;

namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>Exact o200k_base BPE counting of a short and a long chat message.</summary>
public class TokenCountingBenchmarks
{
    private readonly TiktokenTokenCounter _counter = TiktokenTokenCounter.CreateO200kBase();

    [Params("short", "long")]
    public string Text { get; set; } = "short";

    [GlobalSetup]
    public void Setup() => _counter.CountTokens("warm up");

    [Benchmark]
    public int CountTokens() => _counter.CountTokens(Text == "short" ? ChatTexts.Short : ChatTexts.Long);
}
