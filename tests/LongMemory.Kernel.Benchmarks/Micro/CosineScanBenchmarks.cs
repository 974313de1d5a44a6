using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace LongMemory.Kernel.Benchmarks.Micro;

/// <summary>
/// A brute-force cosine scan over normalized vectors stored contiguously (what the embedded index does per search):
/// dot products with <see cref="TensorPrimitives"/>, keeping the best 10.
/// </summary>
public class CosineScanBenchmarks
{
    private float[] _vectors = [];
    private float[] _query = [];

    [Params(10_000, 100_000)]
    public int Items { get; set; }

    [Params(256)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _vectors = new float[Items * Dimensions];
        for (var row = 0; row < Items; row++)
        {
            var span = _vectors.AsSpan(row * Dimensions, Dimensions);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (float)(random.NextDouble() - 0.5);
            }

            TensorPrimitives.Divide(span, TensorPrimitives.Norm(span), span);
        }

        _query = new float[Dimensions];
        new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = Dimensions }).Embed(ChatTexts.Short, _query);
    }

    [Benchmark(Baseline = true)]
    public float DotScan()
    {
        var best = float.MinValue;
        var query = _query.AsSpan();
        for (var row = 0; row < Items; row++)
        {
            var score = TensorPrimitives.Dot(query, _vectors.AsSpan(row * Dimensions, Dimensions));
            if (score > best)
            {
                best = score;
            }
        }

        return best;
    }

    [Benchmark]
    public int DotScanTop10()
    {
        Span<float> scores = stackalloc float[10];
        Span<int> rows = stackalloc int[10];
        scores.Fill(float.MinValue);
        var query = _query.AsSpan();
        var floor = float.MinValue;
        for (var row = 0; row < Items; row++)
        {
            var score = TensorPrimitives.Dot(query, _vectors.AsSpan(row * Dimensions, Dimensions));
            if (score <= floor)
            {
                continue;
            }

            var at = scores.IndexOf(floor);
            scores[at] = score;
            rows[at] = row;
            floor = TensorPrimitives.Min(scores);
        }

        return rows[0];
    }
}
