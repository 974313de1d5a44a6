using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SKKernel = Microsoft.SemanticKernel.Kernel;

namespace LongMemory.Kernel.SemanticKernel.Tests;

/// <summary>Semantic Kernel's function invocation (outside the memory) keeps each tool round trip in the chat's session.</summary>
public sealed class SemanticKernelToolLoopTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    /// <summary>Asks for the weather once per user question, then answers with the tool's result.</summary>
    private static RecordingChatClient ToolModel() => new()
    {
        Respond = (messages, _) => messages[^1].Role == ChatRole.User
            ? new ChatResponse(new MeaiChatMessage(ChatRole.Assistant, [new Microsoft.Extensions.AI.FunctionCallContent("call-" + Guid.NewGuid().ToString("N")[..8], "travel_get_weather", new Dictionary<string, object?> { ["city"] = "Lisbon" })]))
            : new ChatResponse(new MeaiChatMessage(ChatRole.Assistant, "The forecast: " + messages[^1].Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().Single().Result)),
    };

    private static void AssertToolCallsAnswered(IReadOnlyList<MeaiChatMessage> prompt)
    {
        var calls = prompt.SelectMany(m => m.Contents.OfType<Microsoft.Extensions.AI.FunctionCallContent>()).Select(c => c.CallId).ToHashSet();
        var results = prompt.SelectMany(m => m.Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
        Assert.True(calls.SetEquals(results), $"calls [{string.Join(", ", calls)}] vs results [{string.Join(", ", results)}]");
    }

    [Fact(Timeout = 30_000)]
    public async Task KernelFunctionInvocation_TwoChatHistoriesInterleaved_EachLoopInItsOwnSession()
    {
        // No session named: each chat continues the session stamped on the messages the memory returned to it.
        var model = ToolModel();
        var client = model
            .WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = "alice" })
            .AsBuilder()
            .UseKernelFunctionInvocation()
            .Build();
        var builder = SKKernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        var kernel = builder.Build();
        kernel.Plugins.AddFromFunctions("travel", [KernelFunctionFactory.CreateFromMethod((string city) => $"Sunny and 24 degrees in {city}.", "get_weather", "Gets the weather of a city.")]);
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

        var lisbon = new ChatHistory("You plan trips.");
        var porto = new ChatHistory("You plan trips.");
        foreach (var (history, question) in new[] { (lisbon, "What's the weather in Lisbon?"), (porto, "Is Porto warm?"), (lisbon, "And tomorrow?"), (porto, "And at night?") })
        {
            history.AddUserMessage(question);
            history.Add(await chat.GetChatMessageContentAsync(history, settings, kernel));
        }

        var sessions = await _memory.ListSessionsAsync("alice");
        Assert.Equal(2, sessions.Count);
        foreach (var session in sessions)
        {
            var stored = await _memory.ForScope(session.Scope).GetMessagesAsync();
            Assert.Equal(8, stored.Count); // per question: user, tool call, tool result, answer
            var questions = stored.Where(m => m.Role == ChatRole.User).Select(m => m.Content).ToList();
            Assert.True(questions.SequenceEqual(["What's the weather in Lisbon?", "And tomorrow?"]) || questions.SequenceEqual(["Is Porto warm?", "And at night?"]), string.Join(" | ", questions));
        }

        Assert.All(model.Prompts, AssertToolCallsAnswered);
        Assert.Contains("Sunny", lisbon[^1].Content, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task KernelFunctionInvocation_SessionFromOptions_WholeLoopInIt()
    {
        var model = ToolModel();
        var client = model
            .WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = "alice", SessionId = "trip-planning" })
            .AsBuilder()
            .UseKernelFunctionInvocation()
            .Build();
        var builder = SKKernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        var kernel = builder.Build();
        kernel.Plugins.AddFromFunctions("travel", [KernelFunctionFactory.CreateFromMethod((string city) => $"Sunny and 24 degrees in {city}.", "get_weather", "Gets the weather of a city.")]);

        var result = await kernel.InvokePromptAsync("What's the weather in Lisbon?", new KernelArguments(new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }));

        Assert.Contains("Sunny", result.ToString(), StringComparison.Ordinal);
        Assert.Equal(4, (await _memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync()).Count);
        Assert.All(model.Prompts, AssertToolCallsAnswered);
    }
}
