using System.Text.Json;
using System.Text.Json.Nodes;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;
using OllamaSharp;

namespace LongMemory.Kernel.Ollama.Tests.EndToEnd;

/// <summary>
/// OllamaSharp's client + the num_ctx middleware + the memory middleware + the memory tools through MEAI's
/// <see cref="FunctionInvokingChatClient"/>, against the protocol-faithful fake of Ollama's HTTP API.
/// </summary>
public sealed class LongMemoryOverOllamaSharpTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task StreamingTurn_ModelCallsAMemoryTool_ResultGoesBackAndEveryRequestSendsTheBudget()
    {
        _server.Respond = request => HasToolResult(request)
            ? [new(Content: "You live"), new(Content: " in Lisbon.")]
            : [new(ToolName: "ListKnowledge", ToolArgumentsJson: "{}", ToolCallId: "call_ab12cd34")];
        await using var scenario = await MemoryScenario.CreateAsync("dana");
        await scenario.RememberAsync("location", "Lisbon");
        using var client = scenario.Pipeline(new OllamaApiClient(_server.Endpoint, "llama3.2"));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Where do I live?", scenario.Options()))
        {
            updates.Add(update);
        }

        Assert.Equal(["You live", " in Lisbon."], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        var chats = _server.RequestsTo("/api/chat");
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c => Assert.Equal(MemoryScenario.Budget, c.Json.GetProperty("options").GetProperty("num_ctx").GetInt32()));
        Assert.All(chats, c => Assert.True(c.Json.GetProperty("stream").GetBoolean()));
        Assert.Contains("ListKnowledge", ToolNames(chats[0]));
        var toolMessage = Messages(chats[1]).Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains("Lisbon", toolMessage.GetProperty("content").GetString(), StringComparison.Ordinal);

        var stored = await scenario.StoredAsync();
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], stored.Select(m => m.Role));
        var call = Assert.Single(stored[1].Contents.OfType<FunctionCallContent>());
        var result = Assert.Single(stored[2].Contents.OfType<FunctionResultContent>());
        Assert.Equal("ListKnowledge", call.Name);
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("You live in Lisbon.", stored[3].Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task NonStreamingTurn_NoToolCall_AnswersStoresTheTurnAndSendsTheBudget()
    {
        _server.Reply = [new(Content: "Hello Dana.")];
        await using var scenario = await MemoryScenario.CreateAsync("dana");
        using var client = scenario.Pipeline(new OllamaApiClient(_server.Endpoint, "llama3.2"));

        var response = await client.GetResponseAsync("Hi, I am Dana.", scenario.Options());

        Assert.Equal("Hello Dana.", response.Text);
        var request = _server.LastRequestTo("/api/chat");
        Assert.False(request.Json.GetProperty("stream").GetBoolean());
        Assert.Equal(MemoryScenario.Budget, request.Json.GetProperty("options").GetProperty("num_ctx").GetInt32());
        Assert.Contains("Hi, I am Dana.", Messages(request).Select(m => m.GetProperty("content").GetString()));
        var stored = await scenario.StoredAsync();
        Assert.Equal(["Hi, I am Dana.", "Hello Dana."], stored.Select(m => m.Text));
    }

    [Fact(Timeout = 60_000)]
    public async Task StreamingTurn_ModelCallsToolsUntilTheRoundLimit_StoredSessionHasNoCallWithoutItsResult()
    {
        // Ollama parses tool calls only when the request offers tools; at its limit MEAI asks once more without them.
        _server.Respond = request => request.ContainsKey("tools")
            ? [new(ToolName: "ListKnowledge", ToolArgumentsJson: "{}")]
            : [new(Content: "I could not finish looking that up.")];
        await using var scenario = await MemoryScenario.CreateAsync("dana");
        using var client = scenario.Pipeline(new OllamaApiClient(_server.Endpoint, "llama3.2"), maximumIterations: 2);

        await foreach (var update in client.GetStreamingResponseAsync("Loop.", scenario.Options()))
        {
            _ = update;
        }

        var stored = await scenario.StoredAsync();
        var callIds = stored.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Select(c => c.CallId).ToList();
        var resultIds = stored.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
        Assert.Equal(2, callIds.Count);
        Assert.All(callIds, id => Assert.Contains(id, resultIds));
        Assert.Equal("I could not finish looking that up.", stored[^1].Text);
        var chats = _server.RequestsTo("/api/chat");
        Assert.Equal(3, chats.Count);
        Assert.False(chats[^1].Json.TryGetProperty("tools", out _));
        Assert.All(chats, c => Assert.Equal(MemoryScenario.Budget, c.Json.GetProperty("options").GetProperty("num_ctx").GetInt32()));
    }

    private static bool HasToolResult(JsonObject request)
        => request["messages"]!.AsArray().Any(m => (string?)m!["role"] == "tool");

    private static IEnumerable<JsonElement> Messages(RecordedRequest request)
        => request.Json.GetProperty("messages").EnumerateArray();

    private static IEnumerable<string?> ToolNames(RecordedRequest request)
        => request.Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString());
}
