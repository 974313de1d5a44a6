using BenchmarkDotNet.Attributes;

namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>The offline embedder on a short and a long chat message (into a reused buffer: the pure feature-hashing cost).</summary>
public class HashingEmbedderBenchmarks
{
    private readonly HashingEmbeddingGenerator _embedder = new();
    private float[] _buffer = [];

    [Params("short", "long")]
    public string Text { get; set; } = "short";

    [GlobalSetup]
    public void Setup() => _buffer = new float[_embedder.Dimensions];

    [Benchmark]
    public float Embed()
    {
        _embedder.Embed(Text == "short" ? ChatTexts.Short : ChatTexts.Long, _buffer);
        return _buffer[0];
    }
}
