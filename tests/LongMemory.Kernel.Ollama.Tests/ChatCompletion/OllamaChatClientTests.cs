using System.Net;
using System.Text.Json;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Ollama.Tests.ChatCompletion;

public sealed class OllamaChatClientTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private OllamaChatClient CreateClient(TimeSpan? timeout = null, string? model = "llama3.2") =>
        new(new OllamaClientOptions { Endpoint = _server.Endpoint, ChatModel = model, Timeout = timeout ?? OllamaClientOptions.DefaultTimeout });

    private static readonly AIFunctionDeclaration WeatherTool = AIFunctionFactory.CreateDeclaration(
        "get_weather",
        "Gets the current weather for a city.",
        JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string","description":"The city"}},"required":["city"]}""").RootElement);

    [Fact]
    public async Task GetResponseAsync_TextReply_ReturnsTextUsageAndIds()
    {
        using var client = CreateClient();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")]);

        Assert.Equal("Hello world", response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal(17, response.Usage?.TotalTokenCount);
        Assert.Equal(182242375, response.Usage?.AdditionalCounts?["total_duration_ns"]);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("llama3.2", response.ModelId);
        Assert.Equal(new DateTimeOffset(2025, 7, 7, 20, 22, 19, TimeSpan.Zero), response.CreatedAt?.AddTicks(-(response.CreatedAt.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.False(string.IsNullOrEmpty(response.ResponseId));

        var sent = _server.LastRequestTo("/api/chat").Json;
        Assert.Equal("llama3.2", sent.GetProperty("model").GetString());
        Assert.False(sent.GetProperty("stream").GetBoolean());
        Assert.Equal(["system", "user"], sent.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("Hi", sent.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.False(sent.TryGetProperty("options", out _), "no options were set, so none should be sent");
        Assert.False(sent.TryGetProperty("tools", out _));
    }

    [Fact]
    public async Task GetResponseAsync_PromptFromCache_ReportsUnknownInputCount()
    {
        _server.PromptEvalCount = null; // Ollama omits prompt_eval_count when it is 0
        using var client = CreateClient();

        var response = await client.GetResponseAsync("Hi");

        Assert.Null(response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Chunks_AssembleToFullTextWithUsage()
    {
        _server.Reply = [new(Thinking: "User greets."), new(Content: "Hel"), new(Content: "lo"), new(Content: " there")];
        using var client = CreateClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Hi"))
        {
            updates.Add(update);
        }

        Assert.Equal(5, updates.Count); // four chunks and the done chunk
        Assert.Equal(["", "Hel", "lo", " there", ""], updates.Select(u => u.Text));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.All(updates, u => Assert.Equal(2025, u.CreatedAt?.Year)); // Go writes nanoseconds: 9 fraction digits
        var response = updates.ToChatResponse();
        Assert.Equal("Hello there", response.Text);
        Assert.Equal("User greets.", response.Messages.Single().Contents.OfType<TextReasoningContent>().Single().Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(5, response.Usage?.OutputTokenCount);
        Assert.Equal("llama3.2", response.ModelId);
        Assert.True(_server.LastRequestTo("/api/chat").Json.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task GetResponseAsync_ToolCallWithId_MapsToFunctionCallContent()
    {
        _server.Reply = [new(ToolName: "get_weather", ToolArgumentsJson: """{"city":"Tokyo","days":2}""", ToolCallId: "call_ab12cd34")];
        using var client = CreateClient();

        var response = await client.GetResponseAsync("Weather in Tokyo?", new ChatOptions { Tools = [WeatherTool] });

        var call = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        Assert.Equal("call_ab12cd34", call.CallId);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Tokyo", ((JsonElement)call.Arguments!["city"]!).GetString());
        Assert.Equal(2, ((JsonElement)call.Arguments!["days"]!).GetInt32());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);

        var tool = _server.LastRequestTo("/api/chat").Json.GetProperty("tools").EnumerateArray().Single();
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("get_weather", tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Gets the current weather for a city.", tool.GetProperty("function").GetProperty("description").GetString());
        var parameters = tool.GetProperty("function").GetProperty("parameters");
        Assert.Equal("object", parameters.GetProperty("type").GetString());
        Assert.Equal("string", parameters.GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Equal("city", parameters.GetProperty("required")[0].GetString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolCallsWithoutId_GetDistinctStableIds()
    {
        // Servers before v0.12.10 send tool calls without an id.
        _server.Reply = [new(ToolName: "get_weather", ToolArgumentsJson: """{"city":"Tokyo"}"""), new(ToolName: "get_weather", ToolArgumentsJson: """{"city":"Paris"}""")];
        using var client = CreateClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Weather?", new ChatOptions { Tools = [WeatherTool] }))
        {
            updates.Add(update);
        }

        var calls = updates.ToChatResponse().Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.StartsWith("call_", c.CallId, StringComparison.Ordinal));
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);
        Assert.Equal(["Tokyo", "Paris"], calls.Select(c => ((JsonElement)c.Arguments!["city"]!).GetString()));
        Assert.Equal(ChatFinishReason.ToolCalls, updates.Last().FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_ToolResultInHistory_SendsToolMessageWithNameAndId()
    {
        using var client = CreateClient();
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Weather in Tokyo?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_ab12cd34", "get_weather", new Dictionary<string, object?> { ["city"] = "Tokyo", ["days"] = 2 })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_ab12cd34", "22°C and sunny")]),
        ];

        await client.GetResponseAsync(history, new ChatOptions { Tools = [WeatherTool] });

        var messages = _server.LastRequestTo("/api/chat").Json.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        var call = messages[1].GetProperty("tool_calls")[0];
        Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        Assert.Equal("call_ab12cd34", call.GetProperty("id").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        var arguments = call.GetProperty("function").GetProperty("arguments");
        Assert.Equal(JsonValueKind.Object, arguments.ValueKind); // an object, not an OpenAI-style string
        Assert.Equal("Tokyo", arguments.GetProperty("city").GetString());
        Assert.Equal(2, arguments.GetProperty("days").GetInt32());
        Assert.Equal("tool", messages[2].GetProperty("role").GetString());
        Assert.Equal("get_weather", messages[2].GetProperty("tool_name").GetString());
        Assert.Equal("call_ab12cd34", messages[2].GetProperty("tool_call_id").GetString());
        Assert.Equal("22°C and sunny", messages[2].GetProperty("content").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_ChatOptions_MapToOllamaOptions()
    {
        using var client = CreateClient();
        var options = new ChatOptions
        {
            Instructions = "You are terse.",
            Temperature = 0.2f,
            TopP = 0.9f,
            TopK = 40,
            MaxOutputTokens = 256,
            StopSequences = ["END"],
            Seed = 7,
            ResponseFormat = ChatResponseFormat.Json,
            AdditionalProperties = new() { ["num_ctx"] = 8192, ["repeat_penalty"] = 1.1, ["keep_alive"] = "10m", ["unknown_thing"] = 3 },
        };

        await client.GetResponseAsync("Hi", options);

        var sent = _server.LastRequestTo("/api/chat").Json;
        var o = sent.GetProperty("options");
        Assert.Equal(0.2, o.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.9, o.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(40, o.GetProperty("top_k").GetInt32());
        Assert.Equal(256, o.GetProperty("num_predict").GetInt32());
        Assert.Equal(8192, o.GetProperty("num_ctx").GetInt32());
        Assert.Equal(7, o.GetProperty("seed").GetInt64());
        Assert.Equal(["END"], o.GetProperty("stop").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1.1, o.GetProperty("repeat_penalty").GetDouble(), 3);
        Assert.False(o.TryGetProperty("unknown_thing", out _));
        Assert.Equal("json", sent.GetProperty("format").GetString());
        Assert.Equal("10m", sent.GetProperty("keep_alive").GetString());
        Assert.Equal("system", sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("You are terse.", sent.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_JsonSchemaFormat_SendsSchemaObject()
    {
        using var client = CreateClient();
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"age":{"type":"integer"}},"required":["age"]}""").RootElement;

        await client.GetResponseAsync("How old?", new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "person") });

        var format = _server.LastRequestTo("/api/chat").Json.GetProperty("format");
        Assert.Equal(JsonValueKind.Object, format.ValueKind);
        Assert.Equal("integer", format.GetProperty("properties").GetProperty("age").GetProperty("type").GetString());
    }

    [Fact]
    public async Task GetResponseAsync_ClientOptions_SendContextLengthKeepAliveAndModelOverride()
    {
        using var client = new OllamaChatClient(new OllamaClientOptions { Endpoint = _server.Endpoint, ChatModel = "other", ContextLength = 16384, KeepAlive = "-1" });

        var response = await client.GetResponseAsync("Hi", new ChatOptions { ModelId = "llama3.2" });

        var sent = _server.LastRequestTo("/api/chat").Json;
        Assert.Equal("llama3.2", sent.GetProperty("model").GetString());
        Assert.Equal(16384, sent.GetProperty("options").GetProperty("num_ctx").GetInt32());
        Assert.Equal(-1, sent.GetProperty("keep_alive").GetInt32()); // a number of seconds, not a string
        Assert.Equal("llama3.2", response.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_ImageContent_SendsBase64Images()
    {
        using var client = CreateClient();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(png, "image/png")])]);

        var message = _server.LastRequestTo("/api/chat").Json.GetProperty("messages")[0];
        Assert.Equal("What is this?", message.GetProperty("content").GetString());
        Assert.Equal(Convert.ToBase64String(png), message.GetProperty("images")[0].GetString());
    }

    [Fact]
    public async Task GetResponseAsync_LengthDoneReason_ReportsLength()
    {
        _server.DoneReason = "length";
        using var client = CreateClient();

        var response = await client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 2 });

        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ErrorLineMidStream_ThrowsWithServerMessage()
    {
        _server.MidStreamError = (1, "an error was encountered while running the model: CUDA out of memory");
        using var client = CreateClient();

        var received = new List<string>();
        var ex = await Assert.ThrowsAsync<OllamaException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["Hello"], received);
        Assert.Contains("CUDA out of memory", ex.Message, StringComparison.Ordinal);
        Assert.Equal("an error was encountered while running the model: CUDA out of memory", ex.ServerError);
        Assert.Contains("/api/chat", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsWithoutDone_Throws()
    {
        _server.EndStreamEarly = true;
        using var client = CreateClient();

        var ex = await Assert.ThrowsAsync<OllamaException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                Assert.NotNull(update);
            }
        });

        Assert.Contains("before its final chunk", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ModelNotPulled_ThrowsWithPullHint(bool streaming)
    {
        using var client = CreateClient(model: "qwen3:4b");

        var ex = await Assert.ThrowsAsync<OllamaException>(async () =>
        {
            if (streaming)
            {
                await foreach (var update in client.GetStreamingResponseAsync("Hi"))
                {
                    Assert.NotNull(update);
                }
            }
            else
            {
                await client.GetResponseAsync("Hi");
            }
        });

        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Contains("ollama pull qwen3:4b", ex.Message, StringComparison.Ordinal);
        Assert.Equal("model \"qwen3:4b\" not found, try pulling it first", ex.ServerError);
    }

    [Fact]
    public async Task GetResponseAsync_ServerError500_ThrowsWithServerText()
    {
        _server.Failure = (HttpStatusCode.InternalServerError, "llama runner process has terminated: exit status 2");
        using var client = CreateClient();

        var ex = await Assert.ThrowsAsync<OllamaException>(() => client.GetResponseAsync("Hi"));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Contains("llama runner process has terminated: exit status 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_server.Endpoint + "api/chat", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ollama pull", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledWhileServerIsSlow_ThrowsOperationCanceled()
    {
        _server.HoldAfterChunks = 0;
        using var client = CreateClient();
        using var cts = new CancellationTokenSource();

        var call = client.GetResponseAsync("Hi", cancellationToken: cts.Token);
        await _server.Holding.Task;
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_ThrowsOperationCanceled()
    {
        _server.HoldAfterChunks = 1;
        using var client = CreateClient();
        using var cts = new CancellationTokenSource();

        var received = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi", cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["Hello"], received);
    }

    [Fact]
    public async Task GetResponseAsync_ServerSlowerThanTimeout_ThrowsTimeoutNamingEndpoint()
    {
        _server.HoldAfterChunks = 0;
        using var client = CreateClient(timeout: TimeSpan.FromMilliseconds(300));

        var ex = await Assert.ThrowsAsync<OllamaException>(() => client.GetResponseAsync("Hi"));

        Assert.True(ex.IsTimeout);
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.Contains(_server.Endpoint + "api/chat", ex.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer within", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoServerListening_ThrowsWithHowToStartIt()
    {
        var endpoint = _server.Endpoint;
        await _server.DisposeAsync();
        using var client = new OllamaChatClient(endpoint, "llama3.2");

        var ex = await Assert.ThrowsAsync<OllamaException>(() => client.GetResponseAsync("Hi"));

        Assert.Contains("Could not reach the Ollama server", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ollama serve", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoModelAnywhere_ThrowsInvalidOperation()
    {
        using var client = CreateClient(model: null);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("Hi"));

        Assert.Contains("ChatOptions.ModelId", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void GetService_ChatClientMetadata_ReportsProviderEndpointAndModel()
    {
        using var client = CreateClient();

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("ollama", metadata.ProviderName);
        Assert.Equal(_server.Endpoint, metadata.ProviderUri);
        Assert.Equal("llama3.2", metadata.DefaultModelId);
        Assert.Same(client, client.GetService<OllamaChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("some-key"));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheProperty()
    {
        var ex = Assert.Throws<ArgumentException>(() => new OllamaChatClient(new OllamaClientOptions { Endpoint = new Uri("ftp://host/"), ChatModel = "x" }));

        Assert.Contains("OllamaClientOptions.Endpoint", ex.Message, StringComparison.Ordinal);
    }
}
