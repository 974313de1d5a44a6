using LongMemory.Kernel.Ollama.Tests.Fakes;
using OllamaSharp;
using OllamaSharp.Models;

namespace LongMemory.Kernel.Ollama.Tests.Models;

public sealed class OllamaContextWindowTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_NoNumCtxParameter_ReturnsTrainedMaximum()
    {
        using var client = new OllamaApiClient(_server.Endpoint);

        var length = await client.GetContextLengthAsync("llama3.2");

        Assert.Equal(131072, length);
        Assert.Equal("llama3.2", _server.LastRequestTo("/api/show").Json.GetProperty("model").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_OtherArchitecture_ReadsItsKey()
    {
        _server.Architecture = "qwen2";
        _server.TrainedContextLength = 32768;
        using var client = new OllamaApiClient(_server.Endpoint);

        Assert.Equal(32768, await client.GetContextLengthAsync("llama3.2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_ParametersSetNumCtx_ReturnsIt()
    {
        _server.Parameters = "num_ctx                        8192\nstop                           \"<|eot_id|>\"";
        using var client = new OllamaApiClient(_server.Endpoint);

        Assert.Equal(8192, await client.GetContextLengthAsync("llama3.2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_ModelfileSetsNumCtx_ReturnsIt()
    {
        _server.Parameters = string.Empty;
        _server.Modelfile = "FROM /models/blob\nPARAMETER num_ctx 16384\nPARAMETER temperature 0.2";
        using var client = new OllamaApiClient(_server.Endpoint);

        Assert.Equal(16384, await client.GetContextLengthAsync("llama3.2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_NumCtxAboveTrainedMaximum_CappedLikeTheServer()
    {
        _server.TrainedContextLength = 4096;
        _server.Parameters = "num_ctx 65536";
        using var client = new OllamaApiClient(_server.Endpoint);

        Assert.Equal(4096, await client.GetContextLengthAsync("llama3.2"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_ModelNotPulled_ThrowsNotFound()
    {
        using var client = new OllamaApiClient(_server.Endpoint);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetContextLengthAsync("no-such-model"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public void FromShowModelResponse_NothingReported_ReturnsNull()
    {
        Assert.Null(OllamaContextWindow.FromShowModelResponse(new ShowModelResponse()));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetContextLengthAsync_BlankModel_ThrowsArgumentException()
    {
        using var client = new OllamaApiClient(_server.Endpoint);

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetContextLengthAsync(" "));
    }
}
