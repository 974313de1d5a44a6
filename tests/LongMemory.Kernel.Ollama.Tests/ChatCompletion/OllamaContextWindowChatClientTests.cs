using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace LongMemory.Kernel.Ollama.Tests.ChatCompletion;

/// <summary>OllamaSharp's client under <see cref="OllamaContextWindowChatClient"/>, against the protocol-faithful fake.</summary>
public sealed class OllamaContextWindowChatClientTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_NoNumCtxInOptions_SendsContextLength()
    {
        using var client = Create(contextLength: 5000);

        var response = await client.GetResponseAsync("Hi", new ChatOptions { Temperature = 0.5f });

        Assert.Equal("Hello world", response.Text);
        var options = _server.LastRequestTo("/api/chat").Json.GetProperty("options");
        Assert.Equal(5000, options.GetProperty("num_ctx").GetInt32());
        Assert.Equal(0.5, options.GetProperty("temperature").GetDouble(), 3);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_NoOptionsAtAll_SendsContextLength()
    {
        using var client = Create(contextLength: 2048);

        await client.GetResponseAsync("Hi");

        Assert.Equal(2048, _server.LastRequestTo("/api/chat").Json.GetProperty("options").GetProperty("num_ctx").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_CallSetsNumCtx_KeepsTheCallsValue()
    {
        using var client = Create(contextLength: 5000);
        var options = new ChatOptions { AdditionalProperties = new() { [OllamaContextWindowChatClient.NumCtxPropertyName] = 16384 } };

        await client.GetResponseAsync("Hi", options);

        Assert.Equal(16384, _server.LastRequestTo("/api/chat").Json.GetProperty("options").GetProperty("num_ctx").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_CallersOptions_AreNotChanged()
    {
        using var client = Create(contextLength: 5000);
        var options = new ChatOptions { AdditionalProperties = new() { ["min_p"] = 0.1f } };

        await client.GetResponseAsync("Hi", options);

        Assert.False(options.AdditionalProperties.ContainsKey(OllamaContextWindowChatClient.NumCtxPropertyName));
        Assert.Single(options.AdditionalProperties);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_NoNumCtx_SendsContextLengthAndStreamsEachChunk()
    {
        _server.Reply = [new(Content: "One"), new(Content: " two"), new(Content: " three")];
        using var client = Create(contextLength: 3000);

        var texts = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync("Count"))
        {
            if (update.Text.Length > 0)
            {
                texts.Add(update.Text);
            }
        }

        Assert.Equal(["One", " two", " three"], texts);
        var request = _server.LastRequestTo("/api/chat").Json;
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.Equal(3000, request.GetProperty("options").GetProperty("num_ctx").GetInt32());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_ContextLengthBelowOne_Throws(int contextLength)
    {
        using var inner = new OllamaApiClient(_server.Endpoint, "llama3.2");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new OllamaContextWindowChatClient(inner, contextLength));

        Assert.Equal("contextLength", ex.ParamName);
    }

    [Fact]
    public void UseOllamaContextWindow_Builder_PutsTheMiddlewareInFrontOfOllamaSharp()
    {
        IChatClient inner = new OllamaApiClient(_server.Endpoint, "llama3.2");

        using var client = inner.AsBuilder().UseOllamaContextWindow(1234).Build();

        Assert.Equal(1234, client.GetService<OllamaContextWindowChatClient>()?.ContextLength);
        Assert.Same(inner, client.GetService<OllamaApiClient>());
    }

    private IChatClient Create(int contextLength)
        => new OllamaContextWindowChatClient(new OllamaApiClient(_server.Endpoint, "llama3.2"), contextLength);
}
