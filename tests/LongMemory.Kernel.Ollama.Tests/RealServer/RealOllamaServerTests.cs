using LongMemory.Kernel.Ollama.Tests.EndToEnd;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace LongMemory.Kernel.Ollama.Tests.RealServer;

/// <summary>
/// The end-to-end path against a real Ollama server when LONGMEMORY_OLLAMA_URL is set (models: LONGMEMORY_OLLAMA_MODEL,
/// default llama3.2; LONGMEMORY_OLLAMA_EMBED_MODEL, default all-minilm). A model's choices vary, so these assert what
/// must hold whatever it answers: the budget is sent, the turn is stored whole, a tool call has its result.
/// </summary>
public sealed class RealOllamaServerTests
{
    private const int Timeout = 300_000;

    [OllamaFact(Timeout = Timeout)]
    public async Task StreamingTurn_RealServerWithMemoryTools_SendsTheBudgetAndStoresTheTurnWhole()
    {
        using var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder) { BaseAddress = OllamaFactAttribute.Url, Timeout = TimeSpan.FromMinutes(4) };
        await using var scenario = await MemoryScenario.CreateAsync("dana");
        await scenario.RememberAsync("location", "Lisbon");
        using var client = scenario.Pipeline(new OllamaApiClient(http, OllamaFactAttribute.ChatModel));
        var options = scenario.Options();
        options.Temperature = 0;
        options.Seed = 1;

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Where do I live? Look it up with the ListKnowledge tool.", options))
        {
            updates.Add(update);
        }

        Assert.False(string.IsNullOrWhiteSpace(updates.ToChatResponse().Text));
        var chats = recorder.RequestsTo("/api/chat");
        Assert.NotEmpty(chats);
        Assert.All(chats, c => Assert.Equal(MemoryScenario.Budget, c.Json.GetProperty("options").GetProperty("num_ctx").GetInt32()));
        var stored = await scenario.StoredAsync();
        Assert.Equal(ChatRole.User, stored[0].Role);
        Assert.Equal(ChatRole.Assistant, stored[^1].Role);
        var resultIds = stored.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
        Assert.All(stored.SelectMany(m => m.Contents.OfType<FunctionCallContent>()), c => Assert.Contains(c.CallId, resultIds));
    }

    [OllamaFact(Timeout = Timeout)]
    public async Task GetContextLengthAsync_RealServer_ReportsTheModelsWindow()
    {
        using var client = new OllamaApiClient(OllamaFactAttribute.Url);

        var length = await client.GetContextLengthAsync(OllamaFactAttribute.ChatModel);

        Assert.True(length >= 2048, $"context length {length}");
    }

    [OllamaFact(Timeout = Timeout)]
    public async Task GenerateAsync_RealServer_ReturnsOneNormalisedVectorPerInput()
    {
        using var client = new OllamaApiClient(OllamaFactAttribute.Url, OllamaFactAttribute.EmbedModel);
        IEmbeddingGenerator<string, Embedding<float>> generator = client;

        var embeddings = await generator.GenerateAsync(["The cat sat on the mat.", "A dog barked."]);

        Assert.Equal(2, embeddings.Count);
        Assert.All(embeddings, e => Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(v => (double)v * v)), 3));
    }
}
