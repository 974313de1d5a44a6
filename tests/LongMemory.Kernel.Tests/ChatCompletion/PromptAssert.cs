using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatCompletion;

internal static class PromptAssert
{
    /// <summary>Every tool call in a prompt has its result in the prompt, and every result its call (providers reject anything else).</summary>
    public static void ToolCallsAnswered(IReadOnlyList<ChatMessage> prompt)
    {
        var calls = prompt.SelectMany(m => m.Contents.OfType<FunctionCallContent>()).Select(c => c.CallId).ToHashSet();
        var results = prompt.SelectMany(m => m.Contents.OfType<FunctionResultContent>()).Select(r => r.CallId).ToHashSet();
        Assert.True(calls.SetEquals(results), $"calls [{string.Join(", ", calls)}] vs results [{string.Join(", ", results)}]");
    }
}
