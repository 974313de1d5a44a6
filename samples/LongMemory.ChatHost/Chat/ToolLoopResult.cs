using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Chat;

/// <summary>The outcome of <see cref="ToolCallingLoop.RunAsync"/>.</summary>
/// <param name="Response">The last response (the answer).</param>
/// <param name="Rounds">How many model calls were made.</param>
/// <param name="ToolCalls">The tool calls made, with their results, in order.</param>
internal sealed record ToolLoopResult(
    ChatResponse Response,
    int Rounds,
    IReadOnlyList<(FunctionCallContent Call, FunctionResultContent Result)> ToolCalls);
