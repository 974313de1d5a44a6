using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LongMemory.Kernel.Ollama.Tests.DependencyInjection;

public sealed class OllamaServiceCollectionExtensionsTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AddOllamaChatClient_Resolved_ChatsThroughNamedHttpClient()
    {
        var services = new ServiceCollection();
        services.AddOllamaChatClient(o =>
        {
            o.Endpoint = _server.Endpoint;
            o.ChatModel = "llama3.2";
            o.Timeout = TimeSpan.FromSeconds(42);
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("Hi");

        Assert.Same(client, provider.GetRequiredService<IChatClient>());
        Assert.Equal("Hello world", response.Text);
        Assert.Equal("llama3.2", client.GetService<ChatClientMetadata>()?.DefaultModelId);
        var named = provider.GetRequiredService<IHttpClientFactory>().CreateClient(OllamaServiceCollectionExtensions.ChatHttpClientName);
        Assert.Equal(TimeSpan.FromSeconds(42), named.Timeout);
        Assert.Equal(131072, await provider.GetRequiredService<OllamaApiClient>().GetContextLengthAsync("llama3.2"));
    }

    [Fact]
    public async Task AddOllamaEmbeddingGenerator_Resolved_EmbedsInBatches()
    {
        var services = new ServiceCollection();
        services.AddOllamaEmbeddingGenerator(o =>
        {
            o.Endpoint = _server.Endpoint;
            o.EmbeddingModel = "all-minilm";
            o.EmbeddingBatchSize = 1;
        });
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var embeddings = await generator.GenerateAsync(["a", "b"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(2, _server.RequestsTo("/api/embed").Count);
    }

    [Fact]
    public void AddOllamaChatClient_InvalidOptions_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaChatClient(o => o.Timeout = TimeSpan.FromSeconds(-1)));

        Assert.Contains("OllamaClientOptions.Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOllamaEmbeddingGenerator_NoModel_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaEmbeddingGenerator(o => o.Endpoint = _server.Endpoint));

        Assert.Contains("EmbeddingModel", ex.Message, StringComparison.Ordinal);
    }
}
