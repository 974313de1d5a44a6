using System.Text.Json;
using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.ChatCompletion;
using LongMemory.Kernel.Tests.Memory;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Tests.Tools;

/// <summary>The compact tool set: fewer, cheaper tools for small windows, with the full set's scoping and errors.</summary>
public class MemoryToolSetTests(ITestOutputHelper output)
{
    /// <summary>The README's "all seven" total; a change of a description or schema must update the README table.</summary>
    private const int FullSetTokensInReadme = 962;

    /// <summary>The README's compact total.</summary>
    private const int CompactSetTokensInReadme = 162;

    private static readonly string[] CompactNames = ["Remember", "Recall", "Forget"];

    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"Sunny in {city}.", "get_weather", "Gets the weather of a city.");

    [Fact]
    public async Task CreateTools_Compact_ThreeToolsOneParameterEachNoScopeParameters()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        var tools = test.Memory.ForScope(session.Scope).CreateTools(MemoryToolSet.Compact);

        Assert.Equal(CompactNames, tools.Select(t => t.Name));
        Assert.All(tools, t => Assert.Single(t.JsonSchema.GetProperty("properties").EnumerateObject()));
        Assert.DoesNotContain(tools, t => t.JsonSchema.GetRawText().Contains("user", StringComparison.OrdinalIgnoreCase) || t.JsonSchema.GetRawText().Contains("session", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task CreateTools_DefaultAndFull_SameSevenTools()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var scoped = test.Memory.ForScope(session.Scope);

        Assert.Equal(scoped.CreateTools().Select(t => t.Name), scoped.CreateTools(MemoryToolSet.Full).Select(t => t.Name));
        Assert.Equal(7, scoped.CreateTools().Count);
    }

    [Fact]
    public async Task CreateTools_TokenCostPerTool_CompactUnderAThirdOfFullAndReadmeTotals()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var counter = TiktokenTokenCounter.CreateO200kBase();
        var scoped = test.Memory.ForScope(session.Scope);
        var totals = new Dictionary<MemoryToolSet, int>();

        foreach (var set in new[] { MemoryToolSet.Full, MemoryToolSet.Compact })
        {
            var tools = scoped.CreateTools(set);
            foreach (var tool in tools)
            {
                output.WriteLine($"{set,-8} {tool.Name,-28} {RequestTokenCounting.CountTool(counter, tool),5} tokens  {tool.JsonSchema.GetRawText()}");
            }

            // Exactly as the budget counts a request's tools.
            totals[set] = RequestTokenCounting.CountOptions(counter, null, tools);
            output.WriteLine($"{set,-8} {"all " + tools.Count,-28} {totals[set],5} tokens (o200k_base: name, description, JSON schema, +{RequestTokenCounting.TokensPerTool} wrapper each)");
        }

        Assert.Equal(FullSetTokensInReadme, totals[MemoryToolSet.Full]);
        Assert.Equal(CompactSetTokensInReadme, totals[MemoryToolSet.Compact]);
        Assert.True(totals[MemoryToolSet.Compact] * 100 <= totals[MemoryToolSet.Full] * 35, $"compact {totals[MemoryToolSet.Compact]} > 35% of full {totals[MemoryToolSet.Full]}");
    }

    [Fact]
    public async Task CreateTools_UndefinedToolSet_ThrowsNamingTheParameter()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => test.Memory.ForScope(session.Scope).CreateTools((MemoryToolSet)7));

        Assert.Equal("toolSet", error.ParamName);
    }

    [Fact]
    public async Task LongMemoryChatClient_UndefinedMemoryTools_ThrowsAtConstructionNamingTheSetting()
    {
        await using var test = new TestMemory();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = (MemoryToolSet)(-1) }));

        Assert.Equal(nameof(LongMemoryChatClientOptions.MemoryTools), error.ParamName);
    }

    [Fact(Timeout = 30_000)]
    public async Task CompactTools_OfferedByMiddlewareRunByFunctionInvokingChatClient_RememberRecallForget()
    {
        await using var test = new TestMemory();
        var model = ScriptedMemoryModel();
        using var client = model.AsBuilder().UseFunctionInvocation().Build()
            .WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = MemoryToolSet.Compact });
        var options = new ChatOptions { ConversationId = "health" };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Remember that I am allergic to peanuts.")], options);
        var saved = Assert.Single(await test.Memory.ForScope(MemoryScope.For("alice", "health")).GetModelMemoryAsync());
        var recalled = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What am I allergic to?")], options);
        var forgot = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Forget the peanut thing.")], options);

        Assert.Equal("I am allergic to peanuts.", saved.Content);
        Assert.Contains("allergic to peanuts", recalled.Text, StringComparison.Ordinal);
        Assert.Contains($"memory:{saved.Id}", forgot.Text, StringComparison.Ordinal);
        Assert.Empty(await test.Memory.ForScope(MemoryScope.For("alice", "health")).GetModelMemoryAsync());
        Assert.Single(await test.Memory.ListSessionsAsync("alice"));
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }

    [Fact(Timeout = 30_000)]
    public async Task CompactTools_PassedByAppToFunctionInvokingChatClientOutside_RememberThenRecall()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var model = ScriptedMemoryModel();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions { ConversationId = session.Id, Tools = [.. test.Memory.ForScope(session.Scope).CreateTools(MemoryToolSet.Compact)] };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Remember that I am allergic to peanuts.")], options);
        var recalled = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What am I allergic to?")], options);

        Assert.Contains("allergic to peanuts", recalled.Text, StringComparison.Ordinal);
        Assert.Equal(8, (await test.Memory.GetMessagesAsync(session.Scope)).Count); // per question: user, call, result, answer
        Assert.All(model.Prompts, PromptAssert.ToolCallsAnswered);
    }

    [Fact(Timeout = 30_000)]
    public async Task CompactTools_OtherUsersIds_ReturnNothingAndChangeNothing()
    {
        await using var test = new TestMemory();
        var alice = test.Memory.ForScope((await test.Memory.CreateSessionAsync("alice")).Scope);
        var bob = test.Memory.ForScope((await test.Memory.CreateSessionAsync("bob")).Scope);
        await alice.AddMessagesAsync([new ChatMessage(ChatRole.User, "My name is Alice and my salary is 91000 euros.")]);
        var note = await alice.SaveModelMemoryAsync("Alice's salary is 91000 euros.");
        var fact = await alice.RememberFactAsync("salary", "91000 euros");
        var bobTools = bob.CreateTools(MemoryToolSet.Compact).ToDictionary(t => t.Name);

        var outputs = new List<string>
        {
            await InvokeAsync(bobTools["Recall"], new() { ["query"] = "salary 91000 euros Alice" }),
            await InvokeAsync(bobTools["Recall"], new()),
            await InvokeAsync(bobTools["Forget"], new() { ["id"] = $"memory:{note.Id}" }),
            await InvokeAsync(bobTools["Forget"], new() { ["id"] = $"fact:{fact.Id}" }),
        };

        Assert.All(outputs, o => Assert.DoesNotContain("91000", o, StringComparison.Ordinal));
        Assert.All(outputs, o => Assert.DoesNotContain("Alice", o, StringComparison.Ordinal));
        Assert.Contains("No memory with id", outputs[2], StringComparison.Ordinal);
        Assert.Contains("No memory with id", outputs[3], StringComparison.Ordinal);
        Assert.Single(await alice.GetModelMemoryAsync());
        Assert.Equal("91000 euros", Assert.Single(await alice.GetKnowledgeAsync("salary")).Value);
        Assert.Contains("91000", await InvokeAsync(alice.CreateTools(MemoryToolSet.Compact).Single(t => t.Name == "Recall"), new() { ["query"] = "salary" }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Forget", "{\"id\":\"not-an-id\"}", "Forget: 'not-an-id' is not a memory id")]
    [InlineData("Forget", "{\"id\":\"memory:424242\"}", "No memory with id 'memory:424242'")]
    [InlineData("Forget", "{}", "Forget")]
    [InlineData("Remember", "{\"content\":\"   \"}", "Remember: ")]
    [InlineData("Remember", "{}", "Remember")]
    public async Task CompactTools_BadArguments_ReturnClearErrorWithoutStackTrace(string tool, string argumentsJson, string expected)
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var function = test.Memory.ForScope(session.Scope).CreateTools(MemoryToolSet.Compact).Single(t => t.Name == tool);

        var result = await InvokeAsync(function, JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!);

        Assert.Contains("\"error\"", result, StringComparison.Ordinal);
        Assert.Contains(expected, result, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MemoryToolSet.Compact, new[] { "get_weather", "Remember", "Recall", "Forget" })]
    [InlineData(MemoryToolSet.Full, new[] { "get_weather", "SaveToModelMemory", "RetrieveUserInfo", "SearchConversationHistory", "SummarizeOldest", "ForgetMemory", "RestoreTrimmed", "ListKnowledge" })]
    public async Task Middleware_MemoryToolsOption_OffersThatSetAfterTheAppsToolsWithoutChangingCallersOptions(MemoryToolSet set, string[] expected)
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = set });
        var options = new ChatOptions { ConversationId = "s1", Tools = [Weather] };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello")], options);

        Assert.Equal(expected, model.LastOptions!.Tools!.Select(t => t.Name));
        Assert.Same(Weather, Assert.Single(options.Tools));
    }

    [Fact(Timeout = 30_000)]
    public async Task Middleware_CompactOptionStreaming_OffersOnlyTheCompactTools()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = MemoryToolSet.Compact });

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hello")], new ChatOptions { ConversationId = "s1" }))
        {
            Assert.NotNull(update);
        }

        Assert.Equal(CompactNames, model.LastOptions!.Tools!.Select(t => t.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task Middleware_NoMemoryToolsOption_OffersNoTools()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello")], new ChatOptions { ConversationId = "s1", Tools = [Weather] });
        Assert.Same(Weather, Assert.Single(model.LastOptions!.Tools!));
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello again")]);

        Assert.Null(model.LastOptions);
    }

    [Fact(Timeout = 30_000)]
    public async Task Middleware_CompactToolsEachUsersCalls_BoundToThatUser()
    {
        await using var test = new TestMemory();
        var model = ScriptedMemoryModel();
        using var client = model.AsBuilder().UseFunctionInvocation().Build()
            .WithLongMemory(test.Memory, new LongMemoryChatClientOptions { MemoryTools = MemoryToolSet.Compact });

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Remember that I am allergic to peanuts.")], ForUser("alice"));
        var bobAnswer = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What am I allergic to?")], ForUser("bob"));

        Assert.DoesNotContain("peanuts", bobAnswer.Text, StringComparison.Ordinal);
        Assert.Single(await test.Memory.ForScope(MemoryScope.For("alice", "chat")).GetModelMemoryAsync());
        Assert.Empty(await test.Memory.ForScope(MemoryScope.For("bob", "chat")).GetModelMemoryAsync());

        static ChatOptions ForUser(string user) => new() { ConversationId = "chat", AdditionalProperties = new() { [LongMemoryChatClient.UserIdPropertyKey] = user } };
    }

    [Fact(Timeout = 60_000)]
    public async Task Middleware_SmallWindowFullToolsOverBudget_CompactToolsFitEveryTurn()
    {
        // 512 - 128 = 384 tokens of prompt: the full set (962) cannot be sent at all, the compact one leaves room for the chat.
        await using var test = new TestMemory(o =>
        {
            o.Context.MaxContextTokens = 512;
            o.Context.ReservedOutputTokens = 128;
        });
        var budget = test.Memory.Options.Context.PromptBudget;
        var counter = test.Memory.TokenCounter;
        var model = new RecordingChatClient();
        using var full = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = MemoryToolSet.Full });
        using var compact = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice", MemoryTools = MemoryToolSet.Compact });

        await Assert.ThrowsAsync<ContextBudgetExceededException>(() => full.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ConversationId = "small" }));
        for (var turn = 0; turn < 40; turn++)
        {
            var text = $"Turn {turn}: " + string.Join(' ', Enumerable.Range(0, 25).Select(i => $"word{(turn * 25) + i}"));
            var response = await compact.GetResponseAsync([new ChatMessage(ChatRole.User, text)], new ChatOptions { ConversationId = "small" });

            var tools = model.LastOptions!.Tools!;
            Assert.Equal(CompactNames, tools.Select(t => t.Name));
            var sent = counter.CountTokens(model.LastPrompt) + RequestTokenCounting.CountOptions(counter, null, tools);
            Assert.True(sent <= budget, $"turn {turn}: sent {sent} > budget {budget}");
            Assert.True(Assert.IsType<ContextReport>(response.AdditionalProperties![ContextReport.AdditionalPropertiesKey]).BudgetOk);
        }
    }

    /// <summary>
    /// A model that uses the compact tools: "Remember ..." saves the rest of the sentence, "What am I allergic to?"
    /// recalls and answers with the result, "Forget ..." recalls, forgets the first note found and answers with the result.
    /// </summary>
    private static RecordingChatClient ScriptedMemoryModel() => new()
    {
        Respond = (messages, options) =>
        {
            var last = messages[^1];
            var question = messages.Last(m => m.Role == ChatRole.User).Text;
            if (last.Role == ChatRole.User)
            {
                Assert.Equal(CompactNames, options!.Tools!.Select(t => t.Name));
                return question.StartsWith("Remember that ", StringComparison.Ordinal)
                    ? Call("Remember", "content", question["Remember that ".Length..])
                    : Call("Recall", "query", question.StartsWith("Forget", StringComparison.Ordinal) ? "peanut allergic" : "allergic");
            }

            var result = last.Contents.OfType<FunctionResultContent>().Single();
            var called = messages.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Single(c => c.CallId == result.CallId).Name;
            var json = result.Result is JsonElement e ? e.GetRawText() : result.Result?.ToString() ?? string.Empty;
            if (called == "Recall" && question.StartsWith("Forget", StringComparison.Ordinal))
            {
                var id = JsonDocument.Parse(json).RootElement.GetProperty("results").EnumerateArray()
                    .Select(r => r.TryGetProperty("id", out var i) ? i.GetString() : null)
                    .First(i => i is not null && i.StartsWith("memory:", StringComparison.Ordinal));
                return Call("Forget", "id", id!);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, called == "Remember" ? "Noted." : "From memory: " + json));
        },
    };

    private static ChatResponse Call(string tool, string parameter, string value)
        => new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], tool, new Dictionary<string, object?> { [parameter] = value })]));

    private static async Task<string> InvokeAsync(AIFunction function, Dictionary<string, object?> arguments)
    {
        var result = await function.InvokeAsync(new AIFunctionArguments(arguments));
        return result is JsonElement json ? json.GetRawText() : JsonSerializer.Serialize(result);
    }
}
