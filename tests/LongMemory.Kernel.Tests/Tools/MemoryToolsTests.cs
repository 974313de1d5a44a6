using System.Text.Json;
using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.Tools;

public class MemoryToolsTests
{
    [Fact]
    public async Task CreateTools_ReturnsTheDocumentedToolsWithDescriptions()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        var tools = test.Memory.ForScope(session.Scope).CreateTools();

        Assert.Equal(
            ["SaveToModelMemory", "RetrieveUserInfo", "SearchConversationHistory", "SummarizeOldest", "ForgetMemory", "RestoreTrimmed", "ListKnowledge"],
            tools.Select(t => t.Name));
        Assert.All(tools, t => Assert.True(t.Description.Length > 60, t.Name));
        Assert.DoesNotContain(tools, t => t.JsonSchema.GetRawText().Contains("userId", StringComparison.OrdinalIgnoreCase) || t.JsonSchema.GetRawText().Contains("sessionId", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task FunctionInvocationLoop_SavesThenRetrievesModelMemory()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var tools = test.Memory.ForScope(session.Scope).CreateTools();
        var step = 0;
        var model = new RecordingChatClient
        {
            Respond = (messages, options) => ++step switch
            {
                1 => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "SaveToModelMemory", new Dictionary<string, object?> { ["content"] = "The user is allergic to peanuts.", ["category"] = "health", ["importance"] = 0.9 })])),
                2 => new ChatResponse(new ChatMessage(ChatRole.Assistant, "Noted.")),
                3 => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c2", "RetrieveUserInfo", new Dictionary<string, object?> { ["query"] = "allergies" })])),
                _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "You are allergic to peanuts: " + messages[^1].Contents.OfType<FunctionResultContent>().Single().Result)),
            },
        };
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", SessionId = session.Id });

        await RunLoopAsync(client, tools, "Remember that I'm allergic to peanuts.");
        var answer = await RunLoopAsync(client, tools, "What am I allergic to?");

        Assert.Contains("peanuts", answer, StringComparison.Ordinal);
        Assert.Contains("memory:", answer, StringComparison.Ordinal);
        var saved = Assert.Single(await test.Memory.ForScope(session.Scope).GetModelMemoryAsync());
        Assert.Equal("health", saved.Category);
    }

    [Fact]
    public async Task Tools_OtherUsersData_NeverVisible()
    {
        await using var test = new TestMemory();
        var alice = await test.Memory.CreateSessionAsync("alice");
        var bob = await test.Memory.CreateSessionAsync("bob");
        await test.Memory.ForScope(alice.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "My name is Alice and my salary is 91000 euros.")]);
        var aliceMemory = await test.Memory.ForScope(alice.Scope).SaveModelMemoryAsync("Alice's salary is 91000 euros.");
        var bobTools = test.Memory.ForScope(bob.Scope).CreateTools().ToDictionary(t => t.Name);

        var outputs = new List<string>
        {
            await InvokeAsync(bobTools["RetrieveUserInfo"], new() { ["query"] = "salary euros" }),
            await InvokeAsync(bobTools["RetrieveUserInfo"], new()),
            await InvokeAsync(bobTools["SearchConversationHistory"], new() { ["query"] = "salary 91000", ["acrossSessions"] = true }),
            await InvokeAsync(bobTools["ListKnowledge"], new()),
            await InvokeAsync(bobTools["ListKnowledge"], new() { ["key"] = "name" }),
            await InvokeAsync(bobTools["ForgetMemory"], new() { ["id"] = $"memory:{aliceMemory.Id}" }),
        };

        Assert.All(outputs, o => Assert.DoesNotContain("91000", o, StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain("Alice", o, StringComparison.Ordinal));
        Assert.Single(await test.Memory.ForScope(alice.Scope).GetModelMemoryAsync()); // bob could not forget it
    }

    [Theory]
    [InlineData("ForgetMemory", "{\"id\":\"not-an-id\"}", "not a memory id")]
    [InlineData("RetrieveUserInfo", "{\"topK\":500}", "topK must be between")]
    [InlineData("SearchConversationHistory", "{}", "query")]
    [InlineData("SaveToModelMemory", "{\"content\":\"   \"}", "content")]
    [InlineData("RestoreTrimmed", "{}", "Give either messageIds or summaryId")]
    [InlineData("SummarizeOldest", "{\"count\":\"many\"}", "SummarizeOldest")]
    public async Task Tools_BadArguments_ReturnClearErrorWithoutStackTrace(string tool, string argumentsJson, string expected)
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var function = test.Memory.ForScope(session.Scope).CreateTools().Single(t => t.Name == tool);
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!;

        var output = await InvokeAsync(function, arguments);

        Assert.Contains("\"error\"", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", output, StringComparison.Ordinal);
    }

    private static async Task<string> InvokeAsync(AIFunction function, Dictionary<string, object?> arguments)
    {
        var result = await function.InvokeAsync(new AIFunctionArguments(arguments));
        return result is JsonElement json ? json.GetRawText() : JsonSerializer.Serialize(result);
    }

    private static async Task<string> RunLoopAsync(IChatClient client, IReadOnlyList<AIFunction> tools, string userText)
    {
        var options = new ChatOptions { Tools = [.. tools] };
        var messages = new List<ChatMessage> { new(ChatRole.User, userText) };
        for (var round = 0; round < 5; round++)
        {
            var response = await client.GetResponseAsync(messages, options);
            messages.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).ToList();
            if (calls.Count == 0)
            {
                return response.Text;
            }

            var results = new List<AIContent>();
            foreach (var call in calls)
            {
                var function = tools.Single(t => t.Name == call.Name);
                var result = await function.InvokeAsync(new AIFunctionArguments(call.Arguments));
                results.Add(new FunctionResultContent(call.CallId, result is JsonElement e ? e.GetRawText() : result));
            }

            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }

        throw new InvalidOperationException("The tool loop did not finish.");
    }
}
