using System.Net;
using LongMemory.Kernel.Ollama.Tests.Fakes;

namespace LongMemory.Kernel.Ollama.Tests.Models;

public sealed class OllamaApiClientTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GetContextLengthAsync_NoNumCtxParameter_ReturnsTrainedContextFromModelInfo()
    {
        _server.Architecture = "qwen3";
        _server.TrainedContextLength = 40960;
        using var api = new OllamaApiClient(_server.Endpoint);

        var length = await api.GetContextLengthAsync("llama3.2");

        Assert.Equal(40960, length);
        Assert.Equal("llama3.2", _server.LastRequestTo("/api/show").Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task GetContextLengthAsync_NumCtxParameter_ReturnsRuntimeDefault()
    {
        _server.Parameters = "num_ctx                        8192\nstop                           \"<|eot_id|>\"";
        using var api = new OllamaApiClient(_server.Endpoint);

        var length = await api.GetContextLengthAsync("llama3.2");

        Assert.Equal(8192, length);
    }

    [Fact]
    public async Task ShowModelAsync_ModelInfo_ReportsArchitectureSizesAndCapabilities()
    {
        using var api = new OllamaApiClient(_server.Endpoint);

        var info = await api.ShowModelAsync("llama3.2");

        Assert.Equal("llama", info.Architecture);
        Assert.Equal(131072, info.TrainedContextLength);
        Assert.Null(info.DefaultNumCtx);
        Assert.Equal(3072, info.EmbeddingLength);
        Assert.Equal("3.2B", info.ParameterSize);
        Assert.Equal("Q4_K_M", info.QuantizationLevel);
        Assert.True(info.HasCapability("tools"));
        Assert.False(info.HasCapability("vision"));
    }

    [Fact]
    public async Task ShowModelAsync_ModelNotPulled_ThrowsWithPullHint()
    {
        using var api = new OllamaApiClient(_server.Endpoint);

        var ex = await Assert.ThrowsAsync<OllamaException>(() => api.ShowModelAsync("mistral"));

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("ollama pull mistral", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsAvailableAsync_ServerAnswers_ReturnsTrueAndVersionIsRead()
    {
        using var api = new OllamaApiClient(_server.Endpoint);

        Assert.True(await api.IsAvailableAsync());
        Assert.Equal("0.12.10", await api.GetVersionAsync());
    }

    [Fact]
    public async Task IsAvailableAsync_NothingListening_ReturnsFalse()
    {
        var endpoint = _server.Endpoint;
        await _server.DisposeAsync();
        using var api = new OllamaApiClient(endpoint);

        Assert.False(await api.IsAvailableAsync());
    }

    [Fact]
    public async Task IsAvailableAsync_ServerSlowerThanTimeout_ReturnsFalse()
    {
        _server.HoldAfterChunks = 0;
        using var api = new OllamaApiClient(_server.Endpoint);

        Assert.False(await api.IsAvailableAsync(TimeSpan.FromMilliseconds(200)));
        Assert.True(_server.Holding.Task.IsCompleted);
    }

    [Fact]
    public async Task IsAvailableAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var api = new OllamaApiClient(_server.Endpoint);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => api.IsAvailableAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public async Task ListModelsAsync_Tags_ReturnsPulledModelNames()
    {
        using var api = new OllamaApiClient(_server.Endpoint);

        var models = await api.ListModelsAsync();

        Assert.Equal(["all-minilm:latest", "llama3.2:latest"], models.Order(StringComparer.Ordinal));
    }
}
