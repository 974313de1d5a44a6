using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Testing;

/// <summary>Wraps an embedding generator and fails while <see cref="Failing"/> is set; counts calls.</summary>
public sealed class FlakyEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private int _calls;

    /// <summary>Gets or sets a value indicating whether calls fail.</summary>
    public bool Failing { get; set; }

    /// <summary>Gets the number of calls.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (Failing)
        {
            throw new HttpRequestException("embedding service unavailable");
        }

        return inner.GenerateAsync(values, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    public void Dispose() => inner.Dispose();
}
