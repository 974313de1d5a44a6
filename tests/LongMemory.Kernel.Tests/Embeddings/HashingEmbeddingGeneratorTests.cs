using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Embeddings;

public class HashingEmbeddingGeneratorTests
{
    private readonly HashingEmbeddingGenerator _generator = new();

    [Fact]
    public async Task GenerateAsync_SameText_GivesTheSameVectorEveryTime()
    {
        var first = await _generator.GenerateAsync(["The cat sat on the mat"]);
        var second = await new HashingEmbeddingGenerator().GenerateAsync(["The cat sat on the mat"]);

        Assert.Equal(first[0].Vector.ToArray(), second[0].Vector.ToArray());
        Assert.Equal("hashing-v2-d256", first[0].ModelId);
    }

    [Fact]
    public void Embed_KnownText_MatchesAPinnedValueSoVectorsSurviveProcessRestarts()
    {
        var vector = Embed("hello world");

        // Pinned: a change here silently invalidates every stored vector, so it must come with a new feature version.
        var nonZero = Enumerable.Range(0, vector.Length).Where(i => vector[i] != 0).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i}:{vector[i]:F3}"));
        Assert.Equal(Pinned, string.Join(" ", nonZero.Take(4)));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("A much longer text with many words, repeated words, repeated words, and punctuation!")]
    [InlineData("東京タワーは高い")]
    public void Embed_AnyText_IsUnitLength(string text)
    {
        Assert.Equal(1.0, TensorPrimitives.Norm(Embed(text)), 4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!! ??? 🎉")]
    public void Embed_NoLettersOrDigits_IsAllZeros(string text)
    {
        Assert.All(Embed(text), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Embed_SimilarTexts_AreCloserThanUnrelatedTexts()
    {
        var query = Embed("What is my favourite colour?");
        var similar = Embed("My favorite color is blue");
        var unrelated = Embed("The train to Manchester leaves at noon");

        var close = TensorPrimitives.CosineSimilarity(query, similar);
        var far = TensorPrimitives.CosineSimilarity(query, unrelated);

        Assert.True(close > far + 0.1, $"similar {close:F3} vs unrelated {far:F3}");
    }

    [Fact]
    public void Embed_CaseAndPunctuation_DoNotMatter()
    {
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(Embed("Hello, World!"), Embed("hello world")), 5);
    }

    [Fact]
    public void Embed_WrongDestinationLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => _generator.Embed("x", new float[10]));
    }

    [Fact]
    public async Task GenerateAsync_OtherDimensionsRequested_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 128 }));
    }

    [Fact]
    public void GetService_Metadata_ReportsProviderModelAndDimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("longmemory-hashing", metadata.ProviderName);
        Assert.Equal("hashing-v2-d256", metadata.DefaultModelId);
        Assert.Equal(256, metadata.DefaultModelDimensions);
        Assert.Same(_generator, _generator.GetService<HashingEmbeddingGenerator>());
    }

    [Fact]
    public void ModelId_NonDefaultOptions_DiffersFromDefault()
    {
        var custom = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 256, BigramWeight = 0 });
        var bigger = new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { Dimensions = 512 });

        Assert.StartsWith("hashing-v2-d256-", custom.ModelId);
        Assert.Equal("hashing-v2-d512", bigger.ModelId);
        Assert.Equal(512, bigger.Dimensions);
    }

    [Theory]
    [InlineData(4, 1, 3, 5)]
    [InlineData(256, -1, 3, 5)]
    [InlineData(256, 1, 0, 5)]
    [InlineData(256, 1, 4, 3)]
    public void Constructor_InvalidOptions_Throws(int dimensions, float wordWeight, int minGram, int maxGram)
    {
        Assert.ThrowsAny<ArgumentException>(() => new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions
        {
            Dimensions = dimensions,
            WordWeight = wordWeight,
            MinCharNGram = minGram,
            MaxCharNGram = maxGram,
        }));
    }

    [Fact]
    public void Constructor_AllWeightsZero_Throws()
    {
        Assert.Throws<ArgumentException>(() => new HashingEmbeddingGenerator(new HashingEmbeddingGeneratorOptions { WordWeight = 0, BigramWeight = 0, CharNGramWeight = 0 }));
    }

    [Fact]
    public void Embed_StopWords_AreIgnored()
    {
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(Embed("What did you think of the lighthouse?"), Embed("think of a lighthouse")), 5);
        Assert.All(Embed("what did you do with it"), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData("paintings", "painting")]
    [InlineData("painted", "paint")]
    [InlineData("running", "run")]
    [InlineData("hobbies", "hobby")]
    public void Embed_Inflections_GiveTheSameVector(string inflected, string stem)
    {
        Assert.Equal(1.0, TensorPrimitives.CosineSimilarity(Embed(inflected), Embed(stem)), 5);
    }

    [Fact]
    public void Embed_StemmedText_MatchesAPinnedValue()
    {
        var vector = Embed("The paintings were hanging");

        var nonZero = Enumerable.Range(0, vector.Length).Where(i => vector[i] != 0).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{i}:{vector[i]:F3}"));
        Assert.Equal(PinnedStemmed, string.Join(" ", nonZero.Take(4)));
    }

    private const string PinnedStemmed = "27:0.489 29:0.158 38:-0.158 51:0.158";

    private const string Pinned = "11:0.143 22:0.143 28:-0.143 30:0.143";

    private float[] Embed(string text)
    {
        var vector = new float[_generator.Dimensions];
        _generator.Embed(text, vector);
        return vector;
    }
}
