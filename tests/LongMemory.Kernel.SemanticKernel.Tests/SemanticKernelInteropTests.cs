using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SKKernel = Microsoft.SemanticKernel.Kernel;

namespace LongMemory.Kernel.SemanticKernel.Tests;

public sealed class SemanticKernelInteropTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact]
    public async Task ChatCompletionService_OverMemoryClient_StoresHistoryOnceAndRecallsAcrossSessions()
    {
        var model = new RecordingChatClient();
        var earlier = await _memory.CreateSessionAsync("alice");
        await _memory.ForScope(earlier.Scope).AddMessagesAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, "My daughter's school is Escola Azul.")]);
        var session = await _memory.CreateSessionAsync("alice");
        IChatCompletionService chat = model
            .WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = "alice", SessionId = session.Id })
            .AsChatCompletionService();

        var history = new ChatHistory("You are a helpful assistant.");
        foreach (var text in new[] { "Hello!", "Which school does my daughter go to?" })
        {
            history.AddUserMessage(text);
            history.Add(await chat.GetChatMessageContentAsync(history));
        }

        var stored = await _memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal(4, stored.Count);
        Assert.Contains("Escola Azul", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kernel_AutoInvokesMemoryTools_SavesModelMemory()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var step = 0;
        var model = new RecordingChatClient
        {
            Respond = (messages, _) => ++step == 1
                ? new ChatResponse(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant,
                    [new Microsoft.Extensions.AI.FunctionCallContent("call-1", "memory_SaveToModelMemory", new Dictionary<string, object?> { ["content"] = "The user prefers window seats." })]))
                : new ChatResponse(new Microsoft.Extensions.AI.ChatMessage(ChatRole.Assistant, "Saved: " + messages[^1].Contents.OfType<Microsoft.Extensions.AI.FunctionResultContent>().Single().Result)),
        };
        var builder = SKKernel.CreateBuilder();
        // SK's function invocation sits outside the memory middleware: each tool round trip is recorded once.
        var client = model.WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = "alice", SessionId = session.Id })
            .AsBuilder()
            .UseKernelFunctionInvocation()
            .Build();
        builder.Services.AddSingleton<IChatCompletionService>(client.AsChatCompletionService());
        var kernel = builder.Build();
        kernel.Plugins.AddFromFunctions("memory", _memory.ForScope(session.Scope).CreateTools().Select(t => t.AsKernelFunction()));

        var result = await kernel.InvokePromptAsync(
            "Remember that I like window seats.",
            new KernelArguments(new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }));

        Assert.Contains("memory:", result.ToString(), StringComparison.Ordinal);
        var saved = Assert.Single(await _memory.ForScope(session.Scope).GetModelMemoryAsync());
        Assert.Equal("The user prefers window seats.", saved.Content);
        var stored = await _memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal(4, stored.Count); // user, assistant tool call, tool result, assistant answer
        Assert.Equal(["SaveToModelMemory", "RetrieveUserInfo", "SearchConversationHistory", "SummarizeOldest", "ForgetMemory", "RestoreTrimmed", "ListKnowledge"],
            kernel.Plugins["memory"].Select(f => f.Name));
    }
}
