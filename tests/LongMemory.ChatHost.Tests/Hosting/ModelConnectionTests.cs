using LongMemory.ChatHost.Hosting;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace LongMemory.ChatHost.Tests.Hosting;

public sealed class ModelConnectionTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task ProbeAsync_ServerWithAChatModel_OnlineWithTheModelsWindowCappedForSpeed()
    {
        var connection = await ModelConnection.ProbeAsync(Arguments());

        Assert.True(connection.Online, connection.OfflineReason);
        Assert.Equal("llama3.2:latest", connection.Model);
        Assert.True(connection.SupportsTools);
        Assert.Equal(ModelConnection.DefaultMaxContextTokens, connection.ContextTokens);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProbeAsync_ModelfileWindowSmallerThanTheCap_UsesTheModelsWindow()
    {
        _server.Parameters = "num_ctx 4096";

        var connection = await ModelConnection.ProbeAsync(Arguments("--model", "llama3.2"));

        Assert.True(connection.Online, connection.OfflineReason);
        Assert.Equal(4096, connection.ContextTokens);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProbeAsync_ModelNotPulled_OfflineWithAPullHint()
    {
        var connection = await ModelConnection.ProbeAsync(Arguments("--model", "no-such-model"));

        Assert.False(connection.Online);
        Assert.Contains("ollama pull no-such-model", connection.OfflineReason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProbeAsync_ServerDoesNotAnswerWithinTheTimeout_Offline()
    {
        _server.HoldAfterChunks = 0;
        var time = new FakeTimeProvider();

        var probe = ModelConnection.ProbeAsync(Arguments(), time);
        await _server.Holding.Task;
        Assert.False(probe.IsCompleted);
        time.Advance(ModelConnection.AvailabilityTimeout);
        var connection = await probe;

        Assert.False(connection.Online);
        Assert.Contains("no Ollama server answered", connection.OfflineReason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ProbeAsync_Offline_DoesNotCallTheServer()
    {
        var connection = await ModelConnection.ProbeAsync(Arguments("--offline"));

        Assert.False(connection.Online);
        Assert.Empty(_server.Requests);
    }

    private HostArguments Arguments(params string[] extra) => HostArguments.Parse(["--ollama", _server.Endpoint.AbsoluteUri, .. extra]);
}
