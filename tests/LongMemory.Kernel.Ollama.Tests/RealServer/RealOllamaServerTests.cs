using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Ollama.Tests.RealServer;

/// <summary>
/// The protocol behaviour the fake server covers, checked against a real Ollama server when LONGMEMORY_OLLAMA_URL is set
/// (models: LONGMEMORY_OLLAMA_MODEL, default llama3.2; LONGMEMORY_OLLAMA_EMBED_MODEL, default all-minilm).
/// </summary>
public sealed class RealOllamaServerTests
{
    private static OllamaClientOptions Options => new()
    {
        Endpoint = OllamaFactAttribute.Url,
        ChatModel = OllamaFactAttribute.ChatModel,
        EmbeddingModel = OllamaFactAttribute.EmbedModel,
        ContextLength = 4096,
    };

    private static ChatOptions Deterministic(int maxTokens = 64) => new() { Temperature = 0, Seed = 1, MaxOutputTokens = maxTokens };

    [OllamaFact]
    public async Task GetResponseAsync_RealServer_ReturnsTextAndUsage()
    {
        using var client = new OllamaChatClient(Options);

        var response = await client.GetResponseAsync("Reply with the single word: pong", Deterministic());

        Assert.False(string.IsNullOrWhiteSpace(response.Text));
        Assert.True(response.Usage?.OutputTokenCount > 0);
        Assert.NotNull(response.FinishReason);
        Assert.NotNull(response.CreatedAt);
        Assert.StartsWith(OllamaFactAttribute.ChatModel.Split(':')[0], response.ModelId, StringComparison.Ordinal);
    }

    [OllamaFact]
    public async Task GetStreamingResponseAsync_RealServer_AssemblesChunks()
    {
        using var client = new OllamaChatClient(Options);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Count from one to five in words.", Deterministic()))
        {
            updates.Add(update);
        }

        Assert.True(updates.Count > 2, $"expected several chunks, got {updates.Count}");
        var response = updates.ToChatResponse();
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
        Assert.True(response.Usage?.OutputTokenCount > 0);
    }

    [OllamaFact]
    public async Task GetResponseAsync_RealServerNumPredictOne_FinishesWithLength()
    {
        using var client = new OllamaChatClient(Options);

        var response = await client.GetResponseAsync("Write a long story about the sea.", Deterministic(maxTokens: 1));

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [OllamaFact]
    public async Task GetResponseAsync_RealServerToolRoundTrip_CallsToolAndUsesResult()
    {
        using var client = new OllamaChatClient(Options);
        var tool = AIFunctionFactory.CreateDeclaration(
            "get_weather",
            "Gets the current weather for a city. Always call this to answer weather questions.",
            JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string","description":"The city name"}},"required":["city"]}""").RootElement);
        var options = new ChatOptions { Tools = [tool], Temperature = 0, Seed = 1 };
        List<ChatMessage> history = [new(ChatRole.User, "What is the weather in Tokyo right now? Use the tool.")];

        var first = await client.GetResponseAsync(history, options);
        var call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().FirstOrDefault();

        Assert.NotNull(call);
        Assert.Equal("get_weather", call.Name);
        Assert.Contains("tokyo", call.Arguments?["city"]?.ToString() ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "It is 22 degrees Celsius and sunny in Tokyo.")]));
        var second = await client.GetResponseAsync(history, options);
        Assert.Contains("22", second.Text, StringComparison.Ordinal);
    }

    [OllamaFact]
    public async Task GetResponseAsync_RealServerUnknownModel_ThrowsWithPullHint()
    {
        using var client = new OllamaChatClient(OllamaFactAttribute.Url, "longmemory-no-such-model");

        var ex = await Assert.ThrowsAsync<OllamaException>(() => client.GetResponseAsync("Hi"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("ollama pull longmemory-no-such-model", ex.Message, StringComparison.Ordinal);
    }

    [OllamaFact]
    public async Task GenerateAsync_RealServerBatches_ReturnsNormalisedVectorsInOrder()
    {
        var options = Options;
        options.EmbeddingBatchSize = 2;
        using var generator = new OllamaEmbeddingGenerator(options);
        string[] inputs = ["The cat sat on the mat.", "A dog barked.", "The cat sat on the mat."];

        var embeddings = await generator.GenerateAsync(inputs);
        var cut = await generator.GenerateAsync(["short"], new EmbeddingGenerationOptions { Dimensions = 16 });

        Assert.Equal(3, embeddings.Count);
        Assert.Single(embeddings.Select(e => e.Vector.Length).Distinct());
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(v => (double)v * v)), 3));
        Assert.Equal(embeddings[0].Vector.ToArray(), embeddings[2].Vector.ToArray(), (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.Equal(16, cut[0].Vector.Length);
    }

    [OllamaFact]
    public async Task GetContextLengthAsync_RealServer_ReportsWindowAndServerIsAvailable()
    {
        using var api = new OllamaApiClient(OllamaFactAttribute.Url);

        Assert.True(await api.IsAvailableAsync());
        var length = await api.GetContextLengthAsync(OllamaFactAttribute.ChatModel);

        Assert.True(length >= 2048, $"context length {length}");
    }
}
