using Microsoft.Extensions.AI;
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
}
