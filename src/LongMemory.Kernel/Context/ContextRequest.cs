using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>What a request sends besides its messages, counted into the mandatory tokens of the assembly.</summary>
/// <param name="Instructions">The request's <c>ChatOptions.Instructions</c>.</param>
/// <param name="Tools">The request's <c>ChatOptions.Tools</c>.</param>
internal sealed record ContextRequest(string? Instructions, IList<AITool>? Tools)
{
    public static readonly ContextRequest None = new(null, null);
}
