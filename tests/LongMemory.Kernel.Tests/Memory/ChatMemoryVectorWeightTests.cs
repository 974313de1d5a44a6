using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Memory;

public class ChatMemoryVectorWeightTests
{
    [Fact]
    public async Task DefaultVectorWeight_OfflineHashingEmbedder_IsLow()
    {
        await using var test = new TestMemory();

        Assert.Equal(ChatMemoryOptions.OfflineEmbedderVectorWeight, test.Memory.DefaultVectorWeight);
        Assert.True(test.Memory.DefaultVectorWeight < 1.0);
    }

    [Fact]
    public async Task DefaultVectorWeight_HashingEmbedderBehindAWrapper_IsStillDetected()
    {
        await using var test = new TestMemory(embedder: new LongMemory.Kernel.Testing.FlakyEmbeddingGenerator(new HashingEmbeddingGenerator()));

        Assert.Equal(ChatMemoryOptions.OfflineEmbedderVectorWeight, test.Memory.DefaultVectorWeight);
    }

    [Fact]
    public async Task DefaultVectorWeight_RealEmbeddingModel_IsOne()
    {
        await using var test = new TestMemory(embedder: new ModelLikeEmbeddingGenerator());

        Assert.Equal(1.0, test.Memory.DefaultVectorWeight);
    }

    [Fact]
    public async Task DefaultVectorWeight_SetExplicitly_WinsOverDetection()
    {
        await using var test = new TestMemory(o => o.DefaultVectorWeight = 0.6);

        Assert.Equal(0.6, test.Memory.DefaultVectorWeight);
    }

    [Fact]
    public void Validate_NegativeDefaultVectorWeight_Throws()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ChatMemoryOptions { DefaultVectorWeight = -0.5 }.Validate());

        Assert.Contains(nameof(ChatMemoryOptions.DefaultVectorWeight), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecallAsync_VectorWeightNotSet_UsesTheMemoryDefault()
    {
        // Keyword weight 0 with the default vector weight: only the vector ranking can run, so a hit proves it was used.
        await using var test = new TestMemory(o => o.DefaultVectorWeight = 0);
        var session = await test.Memory.CreateSessionAsync("alice");
        await test.Memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "We painted the lighthouse")]);

        var keywordsOnly = await test.Memory.ForScope(session.Scope).RecallAsync("paintings", new RecallOptions());
        var withVectors = await test.Memory.ForScope(session.Scope).RecallAsync("paintings", new RecallOptions { VectorWeight = 1 });

        Assert.Empty(keywordsOnly);
        Assert.Contains(withVectors, h => h.Text.Contains("lighthouse", StringComparison.Ordinal));
    }

    [Fact]
    public void ContextOptions_Defaults_IncludeOneNeighbouringTurn()
    {
        Assert.Equal(1, new ContextOptions().NeighborTurns);
    }

    /// <summary>Stands in for a model-backed generator: hashing vectors, but another provider and no hashing service.</summary>
    private sealed class ModelLikeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly HashingEmbeddingGenerator _inner = new();
        private readonly EmbeddingGeneratorMetadata _metadata = new("ollama", null, "nomic-embed-text", 256);

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => _inner.GenerateAsync(values, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null)
            => serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

        public void Dispose() => _inner.Dispose();
    }
}
