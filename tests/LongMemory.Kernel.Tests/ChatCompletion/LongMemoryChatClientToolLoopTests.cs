using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.ChatCompletion;

/// <summary>A whole function-invocation loop is one turn of one session, with the real invocation clients.</summary>
public class LongMemoryChatClientToolLoopTests
{
    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"Sunny and 24 degrees in {city}.", "get_weather", "Gets the weather of a city.");

    /// <summary>A model that asks for the weather once per user question, then answers with the tool's result.</summary>
    private static RecordingChatClient ToolModel() => new()
    {
        Respond = (messages, _) =>
        {
            if (messages[^1].Role == ChatRole.User)
            {
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], "get_weather", new Dictionary<string, object?> { ["city"] = "Lisbon" })]));
            }

            var result = messages[^1].Contents.OfType<FunctionResultContent>().Single();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "The forecast: " + result.Result));
        },
    };

    [Fact(Timeout = 30_000)]
    public async Task FunctionInvocationOutside_WholeLoopStoredInCallersSession()
    {
        await using var test = new TestMemory();
        var model = ToolModel();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { ConversationId = "trip-planning", Tools = [Weather] };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What's the weather in Lisbon?")], options);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "And tomorrow?")], options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync();
        Assert.Equal(8, stored.Count); // per question: user, tool call, tool result, answer
        Assert.Single(await test.Memory.ListSessionsAsync("alice"));
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
        Assert.Contains(model.LastPrompt, m => m.Contents.OfType<FunctionResultContent>().Any());
    }

    [Fact(Timeout = 30_000)]
    public async Task FunctionInvocationOutside_AppResendsHistory_StoredOnce()
    {
        await using var test = new TestMemory();
        var model = ToolModel();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsBuilder().UseFunctionInvocation().Build();
        var history = new List<ChatMessage>();

        foreach (var question in new[] { "What's the weather in Lisbon?", "And tomorrow?", "Thanks!" })
        {
            history.Add(new ChatMessage(ChatRole.User, question));
            var response = await client.GetResponseAsync(history, new ChatOptions { ConversationId = "trip-planning", Tools = [Weather] });
            history.AddRange(response.Messages);
        }

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync();
        Assert.Equal(history.Count, stored.Count);
        Assert.Equal(3, stored.Count(m => m.Role == ChatRole.User));
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }

    [Fact(Timeout = 30_000)]
    public async Task FunctionInvocationInside_WholeLoopStoredInCallersSession()
    {
        await using var test = new TestMemory();
        var model = ToolModel();
        using var client = model.AsBuilder().UseFunctionInvocation().Build().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });
        var options = new ChatOptions { ConversationId = "trip-planning", Tools = [Weather] };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What's the weather in Lisbon?")], options);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "And tomorrow?")], options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync();
        Assert.Equal(8, stored.Count);
        Assert.Single(await test.Memory.ListSessionsAsync("alice"));
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }

    [Fact(Timeout = 30_000)]
    public async Task FunctionInvocationOutside_Streaming_WholeLoopStoredInCallersSession()
    {
        await using var test = new TestMemory();
        var model = ToolModel();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { ConversationId = "trip-planning", Tools = [Weather] };

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "What's the weather in Lisbon?")], options))
        {
            Assert.NotNull(update);
        }

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync();
        Assert.Equal(4, stored.Count);
        Assert.Single(await test.Memory.ListSessionsAsync("alice"));
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }

    [Fact(Timeout = 30_000)]
    public async Task AgentFrameworkChatClientAgent_EachAgentSessionsToolLoopsStayInItsSession()
    {
        await using var test = new TestMemory();
        var model = ToolModel();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });
        var agent = new ChatClientAgent(client, instructions: "You plan trips.", name: "planner", description: null, tools: [Weather]);
        var trip = await agent.CreateSessionAsync("trip-planning");
        var other = await agent.CreateSessionAsync();

        await agent.RunAsync("What's the weather in Lisbon?", trip);
        await agent.RunAsync("Is it sunny in Lisbon today?", other);
        var answer = await agent.RunAsync("And tomorrow?", trip);

        Assert.Contains("Sunny", answer.Text, StringComparison.Ordinal);
        var sessions = await test.Memory.ListSessionsAsync("alice");
        Assert.Equal(2, sessions.Count);
        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync();
        Assert.Equal(8, stored.Count); // two questions, each: user, tool call, tool result, answer
        Assert.Equal(["What's the weather in Lisbon?", "And tomorrow?"], stored.Where(m => m.Role == ChatRole.User).Select(m => m.Content));
        var otherStored = await test.Memory.ForScope(sessions.Single(s => s.Id != "trip-planning").Scope).GetMessagesAsync();
        Assert.Equal(4, otherStored.Count);
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }
}
