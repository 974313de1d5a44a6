using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OllamaSharp;

namespace LongMemory.Kernel.Ollama.Tests.DependencyInjection;

public sealed class OllamaServiceCollectionExtensionsTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task AddOllamaChatClient_Resolved_ChatsWithNumCtxThroughNamedHttpClient()
    {
        var services = new ServiceCollection();
        services.AddOllamaChatClient(o =>
        {
            o.Endpoint = _server.Endpoint;
            o.ChatModel = "llama3.2";
            o.ContextLength = 6000;
            o.Timeout = TimeSpan.FromSeconds(42);
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync("Hi");

        Assert.Same(client, provider.GetRequiredService<IChatClient>());
        Assert.Equal("Hello world", response.Text);
        Assert.Equal(6000, _server.LastRequestTo("/api/chat").Json.GetProperty("options").GetProperty("num_ctx").GetInt32());
        Assert.Equal("llama3.2", _server.LastRequestTo("/api/chat").Json.GetProperty("model").GetString());
        Assert.NotNull(client.GetService<OllamaContextWindowChatClient>());
        var named = provider.GetRequiredService<IHttpClientFactory>().CreateClient(OllamaServiceCollectionExtensions.ChatHttpClientName);
        Assert.Equal(TimeSpan.FromSeconds(42), named.Timeout);
        Assert.Equal(_server.Endpoint, named.BaseAddress);
        Assert.Equal(131072, await provider.GetRequiredService<IOllamaApiClient>().GetContextLengthAsync("llama3.2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddOllamaEmbeddingGenerator_Resolved_EmbedsWithTheModel()
    {
        var services = new ServiceCollection();
        services.AddOllamaEmbeddingGenerator(o =>
        {
            o.Endpoint = _server.Endpoint;
            o.EmbeddingModel = "all-minilm";
        });
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var embeddings = await generator.GenerateAsync(["a", "b"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(FakeOllamaServer.VectorFor("b", _server.EmbeddingLength), embeddings[1].Vector.ToArray());
        Assert.Equal("all-minilm", _server.LastRequestTo("/api/embed").Json.GetProperty("model").GetString());
    }

    [Fact]
    public void AddOllamaChatClient_InvalidOptions_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaChatClient(o => o.Timeout = TimeSpan.FromSeconds(-1)));

        Assert.Contains("OllamaClientOptions.Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOllamaChatClient_NoContextLength_FailsAtRegistrationNamingTheSetting()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaChatClient(o => o.ChatModel = "llama3.2"));

        Assert.Contains("OllamaClientOptions.ContextLength", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOllamaChatClient_NoModel_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaChatClient(o => o.ContextLength = 4096));

        Assert.Contains("OllamaClientOptions.ChatModel", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOllamaEmbeddingGenerator_NoModel_FailsAtRegistration()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddOllamaEmbeddingGenerator(o => o.Endpoint = _server.Endpoint));

        Assert.Contains("EmbeddingModel", ex.Message, StringComparison.Ordinal);
    }
}
