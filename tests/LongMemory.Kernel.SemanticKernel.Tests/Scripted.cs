using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;
using FunctionResultContent = Microsoft.Extensions.AI.FunctionResultContent;

namespace LongMemory.Kernel.SemanticKernel.Tests;

/// <summary>Small helpers for scripted model turns.</summary>
internal static class Scripted
{
    public static ChatResponse Text(string text) => new(new ChatMessage(ChatRole.Assistant, text)) { ResponseId = Guid.NewGuid().ToString("N") };

    public static ChatResponse Call(string callId, string name, Dictionary<string, object?> arguments)
        => new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, name, arguments)])) { ResponseId = Guid.NewGuid().ToString("N") };

    public static string? LastToolResult(IReadOnlyList<ChatMessage> messages)
        => messages.LastOrDefault(m => m.Role == ChatRole.Tool)?.Contents.OfType<FunctionResultContent>().LastOrDefault()?.Result?.ToString();

    /// <summary>The name under which the kernel offers a memory function to the model (SK prefixes the plugin name).</summary>
    public static string ToolName(ChatOptions? options, string function)
        => options?.Tools?.Select(t => t.Name).SingleOrDefault(n => n.EndsWith(function, StringComparison.Ordinal))
           ?? throw new InvalidOperationException($"The model was not offered {function}; it was offered: {string.Join(", ", options?.Tools?.Select(t => t.Name) ?? [])}.");

    public static ChatMemory NewMemory(Action<ChatMemoryOptions>? configure = null)
        => new ChatMemoryBuilder().UseInMemoryDatabase().Configure(o => configure?.Invoke(o)).Build();

    /// <summary>
    /// A model that, for a user turn starting with "Remember", calls <paramref name="saveFunction"/> with the bike fact,
    /// for any other turn calls <paramref name="recallFunction"/> for "bike", and then answers with the tool's result.
    /// </summary>
    public static Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> RememberThenRecall(string saveFunction, string recallFunction)
        => (messages, options) =>
        {
            var user = messages.Last(m => m.Role == ChatRole.User).Text;
            var result = LastToolResult(messages);
            return (user.StartsWith("Remember", StringComparison.Ordinal), result) switch
            {
                (true, null) => Call("c1", ToolName(options, saveFunction), new() { ["content"] = "The user's bike is a green Brompton." }),
                (false, null) => Call("c2", ToolName(options, recallFunction), new() { ["query"] = "bike" }),
                _ => Text("Tool said: " + result),
            };
        };

    /// <summary>A kernel whose chat completion is <paramref name="model"/>, with the memory registered.</summary>
    public static Microsoft.SemanticKernel.Kernel KernelWith(RecordingChatClient model, ChatMemory memory)
    {
        var builder = Microsoft.SemanticKernel.Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
        builder.AddLongMemory(memory);
        return builder.Build();
    }

    /// <summary>One request as an app runs it: a per-request kernel with the memory plugin bound to the user and session, auto function calling.</summary>
    public static async Task<string> RunTurnAsync(Microsoft.SemanticKernel.Kernel kernel, string user, string session, string text, MemoryToolSet toolSet = MemoryToolSet.Full)
    {
        var perRequest = kernel.Clone();
        perRequest.Plugins.AddLongMemory(perRequest.GetRequiredService<ChatMemory>(), MemoryScope.For(user, session), toolSet);
        var settings = LongMemoryExecutionSettings.For(user, session, new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() });
        return (await perRequest.InvokePromptAsync(text, new KernelArguments(settings))).ToString();
    }
}
