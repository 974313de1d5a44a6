using System.Net;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Ollama.Tests.Embeddings;

public sealed class OllamaEmbeddingGeneratorTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GenerateAsync_FiveInputsBatchSizeTwo_SendsThreeRequestsAndKeepsOrder()
    {
        using var generator = new OllamaEmbeddingGenerator(new OllamaClientOptions { Endpoint = _server.Endpoint, EmbeddingModel = "all-minilm", EmbeddingBatchSize = 2 });
        string[] inputs = ["alpha", "beta gamma", "delta", "epsilon zeta eta", "theta"];

        var embeddings = await generator.GenerateAsync(inputs);

        var requests = _server.RequestsTo("/api/embed");
        Assert.Equal(3, requests.Count);
        Assert.Equal(
            [["alpha", "beta gamma"], ["delta", "epsilon zeta eta"], ["theta"]],
            requests.Select(r => r.Json.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToArray()));
        Assert.All(requests, r => Assert.Equal("all-minilm", r.Json.GetProperty("model").GetString()));
        Assert.All(requests, r => Assert.True(r.Json.GetProperty("truncate").GetBoolean()));
        Assert.All(requests, r => Assert.False(r.Json.TryGetProperty("dimensions", out _)));
        Assert.Equal(5, embeddings.Count);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(FakeOllamaServer.VectorFor(inputs[i], 8), embeddings[i].Vector.ToArray());
            Assert.Equal("all-minilm", embeddings[i].ModelId);
        }

        Assert.Equal(8, embeddings.Usage?.InputTokenCount); // the fake counts words (1+2+1+3+1), summed over the three batches
    }

    [Fact]
    public async Task GenerateAsync_Dimensions_SendsDimensionsAndReturnsShorterVectors()
    {
        using var generator = new OllamaEmbeddingGenerator(new OllamaClientOptions { Endpoint = _server.Endpoint, EmbeddingModel = "all-minilm", TruncateEmbeddingInput = false });

        var embeddings = await generator.GenerateAsync(["one", "two"], new EmbeddingGenerationOptions { Dimensions = 4 });

        var sent = _server.LastRequestTo("/api/embed").Json;
        Assert.Equal(4, sent.GetProperty("dimensions").GetInt32());
        Assert.False(sent.GetProperty("truncate").GetBoolean());
        Assert.All(embeddings, e => Assert.Equal(4, e.Vector.Length));
    }

    [Fact]
    public async Task GetService_Metadata_ReportsModelAndLearnsDimensions()
    {
        using var generator = new OllamaEmbeddingGenerator(_server.Endpoint, "all-minilm");
        var before = generator.GetService<EmbeddingGeneratorMetadata>();

        await generator.GenerateAsync(["hello"]);
        var after = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Equal("ollama", before?.ProviderName);
        Assert.Equal(_server.Endpoint, before?.ProviderUri);
        Assert.Equal("all-minilm", before?.DefaultModelId);
        Assert.Null(before?.DefaultModelDimensions);
        Assert.Equal(8, after?.DefaultModelDimensions);
    }

    [Fact]
    public async Task GenerateAsync_ConfiguredDimensions_AppearInMetadataAndRequests()
    {
        using var generator = new OllamaEmbeddingGenerator(new OllamaClientOptions { Endpoint = _server.Endpoint, EmbeddingModel = "all-minilm", EmbeddingDimensions = 3 });

        var embeddings = await generator.GenerateAsync(["hello"]);

        Assert.Equal(3, generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions);
        Assert.Equal(3, _server.LastRequestTo("/api/embed").Json.GetProperty("dimensions").GetInt32());
        Assert.Equal(3, embeddings[0].Vector.Length);
    }

    [Fact]
    public async Task GenerateAsync_NoInputs_SendsNothing()
    {
        using var generator = new OllamaEmbeddingGenerator(_server.Endpoint, "all-minilm");

        var embeddings = await generator.GenerateAsync([]);

        Assert.Empty(embeddings);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task GenerateAsync_ModelNotPulled_ThrowsWithPullHint()
    {
        using var generator = new OllamaEmbeddingGenerator(_server.Endpoint, "nomic-embed-text");

        var ex = await Assert.ThrowsAsync<OllamaException>(() => generator.GenerateAsync(["hello"]));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("ollama pull nomic-embed-text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateAsync_ServerError_ThrowsWithServerText()
    {
        _server.Failure = (HttpStatusCode.BadRequest, "input length exceeds the context length");
        using var generator = new OllamaEmbeddingGenerator(_server.Endpoint, "all-minilm");

        var ex = await Assert.ThrowsAsync<OllamaException>(() => generator.GenerateAsync(["a very long text"]));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("input length exceeds the context length", ex.ServerError);
    }
}
