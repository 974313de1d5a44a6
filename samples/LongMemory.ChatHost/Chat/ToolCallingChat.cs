using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Chat;

/// <summary>
/// The tool-calling pipeline of the host: MEAI's <see cref="FunctionInvokingChatClient"/> over the memory-enabled client,
/// so every model round goes through memory (each round's prompt is assembled inside the budget, and each tool call and
/// its result are stored in the session).
/// </summary>
/// <remarks>
/// At <see cref="MaxToolRounds"/> the function-invoking client asks the model once more without tools, so the turn
/// ends with an answer and every stored tool call has its result (a hand-written loop that stops at its limit would
/// store the last call without one, and that orphan would be replayed in later prompts).
/// </remarks>
internal static class ToolCallingChat
{
    /// <summary>The most model rounds that may call tools, per user message.</summary>
    public const int MaxToolRounds = 5;

    /// <summary>Wraps the memory-enabled client with function invocation.</summary>
    /// <param name="memoryClient">The memory-enabled client.</param>
    /// <param name="toolCalled">Told of each tool call and its result (for the console), or <see langword="null"/>.</param>
    /// <returns>The client to send user messages to.</returns>
    public static IChatClient Create(IChatClient memoryClient, Action<FunctionCallContent, object?>? toolCalled = null)
        => memoryClient.AsBuilder().UseFunctionInvocation(configure: f =>
        {
            f.MaximumIterationsPerRequest = MaxToolRounds;

            // A bad call is the model's to fix: it gets the error message as the result, and the chat goes on.
            f.IncludeDetailedErrors = true;
            if (toolCalled is not null)
            {
                f.FunctionInvoker = async (context, cancellationToken) =>
                {
                    var result = await context.Function.InvokeAsync(context.Arguments, cancellationToken).ConfigureAwait(false);
                    toolCalled(context.CallContent, result);
                    return result;
                };
            }
        }).Build();

    /// <summary>The options of one user message: the tools offered.</summary>
    /// <param name="tools">The tools; none when the model cannot call tools.</param>
    /// <returns>The options.</returns>
    /// <remarks>
    /// No <see cref="ChatOptions.ConversationId"/>: the function-invoking client replaces it with the response's (none) after
    /// the first round, so the memory client is bound to its session instead.
    /// </remarks>
    public static ChatOptions Options(IReadOnlyList<AIFunction> tools) => new()
    {
        Tools = tools.Count > 0 ? [.. tools] : null,
        ToolMode = tools.Count > 0 ? ChatToolMode.Auto : null,
    };
}
