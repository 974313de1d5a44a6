using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.ChatCompletion;
using LongMemory.Kernel.Tests.Memory;
using Xunit.Abstractions;

namespace LongMemory.Kernel.Tests.Context;

/// <summary>The budget counts everything sent: messages, instructions, tool definitions and non-text contents.</summary>
public class ContextBudgetTests(ITestOutputHelper output)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];

    private static void SmallBudget(ChatMemoryOptions o)
    {
        o.Context.MaxContextTokens = 2048;
        o.Context.ReservedOutputTokens = 256;
    }

    /// <summary>Counts what a request sends, independently of the assembler: the prompt, the instructions, each tool's name, description and schema, 765 per image.</summary>
    private static int SentTokens(ITokenCounter counter, IReadOnlyList<ChatMessage> prompt, ChatOptions options)
    {
        var total = counter.CountTokens(prompt);
        total += string.IsNullOrEmpty(options.Instructions) ? 0 : counter.CountTokens(options.Instructions);
        foreach (var tool in options.Tools ?? [])
        {
            total += counter.CountTokens(tool.Name) + counter.CountTokens(tool.Description ?? string.Empty)
                     + (tool is AIFunctionDeclaration f ? counter.CountTokens(f.JsonSchema.GetRawText()) : 0);
        }

        total += prompt.SelectMany(m => m.Contents).Count(c => c is DataContent d && d.HasTopLevelMediaType("image")) * 765;
        return total;
    }

    private static ChatOptions RequestWithInstructionsToolsAnd(string session, int instructionWords, int toolCount)
    {
        var tools = Enumerable.Range(0, toolCount).Select(i => (AITool)AIFunctionFactory.Create(
            (string destination, int nights, string? budgetCategory) => $"{destination}:{nights}:{budgetCategory}",
            $"plan_trip_{i}",
            $"Plans a trip (variant {i}): books flights and hotels for the destination, the number of nights and the budget category the user asked for.")).ToList();
        return new ChatOptions
        {
            ConversationId = session,
            Instructions = string.Join(' ', Enumerable.Range(0, instructionWords).Select(i => $"rule{i}")),
            Tools = tools,
        };
    }

    [Fact(Timeout = 60_000)]
    public async Task GetResponseAsync_InstructionsToolsAndImages_PromptPlusExtrasWithinBudget()
    {
        await using var test = new TestMemory(SmallBudget);
        var model = new RecordingChatClient();
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });
        var options = RequestWithInstructionsToolsAnd("extras", 200, 6);
        for (var turn = 0; turn < 30; turn++)
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"Turn {turn}: " + string.Join(' ', Enumerable.Range(0, 40).Select(i => $"word{turn * 40 + i}")))], options);
        }

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is in this photo?"), new DataContent(Png, "image/png")])], options);

        var report = Assert.IsType<ContextReport>(response.AdditionalProperties![ContextReport.AdditionalPropertiesKey]);
        var sent = SentTokens(test.Memory.TokenCounter, model.LastPrompt, options);
        Assert.True(sent <= report.Budget, $"sent {sent} > budget {report.Budget}");
        Assert.True(report.TotalTokens >= sent - 20, $"the report ({report.TotalTokens}) must count what is sent ({sent})");
        Assert.True(report.BudgetOk);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_ExtrasAloneOverBudget_ClearException()
    {
        await using var test = new TestMemory(SmallBudget);
        using var client = new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        var error = await Assert.ThrowsAsync<ContextBudgetExceededException>(() =>
            client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], RequestWithInstructionsToolsAnd("too-much", 1900, 0)));
        Assert.True(error.RequiredTokens > 1792);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_ConfiguredImageEstimate_Counted()
    {
        await using var test = new TestMemory(o => o.Context.NonTextContent.ImageTokens = 1500);
        using var client = new RecordingChatClient().WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("Look"), new DataContent(Png, "image/png")])], new ChatOptions { ConversationId = "img" });

        var report = Assert.IsType<ContextReport>(response.AdditionalProperties![ContextReport.AdditionalPropertiesKey]);
        Assert.True(report.Blocks.Single(b => b.Block == ContextBlockKind.NewMessages).Tokens >= 1500);
    }

    // The timeout only guards against a hang: 1,000 turns take 20-70 s on a loaded 2-core machine.
    [Fact(Timeout = 300_000)]
    public async Task GetResponseAsync_1000RandomTurnsWithExtrasAndResentHistories_NoPromptOverBudget()
    {
        await using var test = new TestMemory(SmallBudget);
        var random = new Random(11);
        var model = new RecordingChatClient();
        var echo = model.Respond;
        model.Respond = (messages, options) => messages[^1].Role == ChatRole.User && options?.Tools is { Count: > 0 } && random.Next(5) == 0
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-" + random.Next(1_000_000), options.Tools[0].Name, new Dictionary<string, object?> { ["destination"] = "Oslo", ["nights"] = 2, ["budgetCategory"] = "low" })]))
            : echo(messages, options);
        using var client = model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" }).AsBuilder().UseFunctionInvocation().Build();
        var budget = test.Memory.Options.Context.PromptBudget;
        var history = new List<ChatMessage>();
        var previous = new List<ChatMessage>();
        var checkedPrompts = 0;

        for (var turn = 0; turn < 1000; turn++)
        {
            var options = RequestWithInstructionsToolsAnd("random", random.Next(0, 150), random.Next(0, 4));
            List<ChatMessage> send;
            var mode = random.Next(10);
            if (mode == 0 && previous.Count > 0)
            {
                send = previous; // regenerate: the same request again
            }
            else
            {
                var words = string.Join(' ', Enumerable.Range(0, random.Next(3, 80)).Select(_ => $"word{random.Next(400)}"));
                ChatMessage message = random.Next(8) == 0 ? new(ChatRole.User, [new TextContent(words), new DataContent(Png, "image/png")]) : new(ChatRole.User, words);
                history.Add(message);
                send = mode switch
                {
                    < 4 => [message],                                   // only the new message
                    < 7 => [.. history],                                // the whole history
                    _ => [.. history.Skip(Math.Max(0, history.Count - random.Next(2, 12)))], // a window of it
                };
            }

            var before = model.Prompts.Count;
            var response = await client.GetResponseAsync(send, options);
            history.AddRange(response.Messages);
            previous = send;

            foreach (var prompt in model.Prompts.Skip(before))
            {
                PromptAssert.ToolCallsAnswered(prompt);
                var sent = SentTokens(test.Memory.TokenCounter, prompt, options);
                Assert.True(sent <= budget, $"turn {turn}: sent {sent} > budget {budget}");
                checkedPrompts++;
            }
        }

        Assert.True(checkedPrompts >= 1000);
    }

    [Fact(Timeout = 30_000)]
    public async Task AssembleContextAsync_OverlappingNeighbourWindows_EachStoredMessageOnce()
    {
        await using var test = new TestMemory();
        var earlier = await test.Memory.CreateSessionAsync("alice");
        string[] texts =
        [
            "My sourdough starter is called Bubbles and lives in the fridge.",
            "Bubbles the sourdough starter needs feeding every week.",
            "I fed the sourdough starter Bubbles with rye flour today.",
            "Bubbles made a great sourdough loaf this weekend.",
        ];
        await test.Memory.AddMessagesAsync(earlier.Scope, texts.Select((t, i) => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, t)));
        var session = await test.Memory.CreateSessionAsync("alice");

        var context = await test.Memory.AssembleContextAsync(session.Scope, [new ChatMessage(ChatRole.User, "How is my sourdough starter Bubbles doing?")]);

        var prompt = RecordingChatClient.TextOf(context.Messages);
        foreach (var text in texts)
        {
            Assert.True(Occurrences(prompt, text) <= 1, $"'{text}' appears {Occurrences(prompt, text)} times");
        }

        Assert.Contains(texts[0], prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryTools_TokenCostPerToolDefinition_Printed()
    {
        await using var test = new TestMemory();
        var session = await test.Memory.CreateSessionAsync("alice");
        var counter = TiktokenTokenCounter.CreateO200kBase();

        var costs = test.Memory.CreateTools(session.Scope).Select(t => (t.Name, Tokens: RequestTokenCounting.CountTool(counter, t))).ToList();

        foreach (var (name, tokens) in costs)
        {
            output.WriteLine($"{name,-28} {tokens,5} tokens (o200k_base: name, description, JSON schema, +{RequestTokenCounting.TokensPerTool} wrapper)");
        }

        output.WriteLine($"{"all tools",-28} {costs.Sum(c => c.Tokens),5} tokens");
        Assert.All(costs, c => Assert.True(c.Tokens > RequestTokenCounting.TokensPerTool));
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
