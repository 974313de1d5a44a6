using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Creates the memory tools for a model, bound to one scope: SaveToModelMemory, RetrieveUserInfo,
    /// SearchConversationHistory, SummarizeOldest, ForgetMemory, RestoreTrimmed and ListKnowledge. Results are compact
    /// JSON; bad arguments return a JSON error the model can act on. In Semantic Kernel, import them with
    /// <c>kernel.Plugins.AddFromFunctions("memory", tools.Select(t => t.AsKernelFunction()))</c>.
    /// </summary>
    /// <param name="scope">The user and session the tools act for (the model cannot change it).</param>
    /// <param name="toolSet">Which tools: the seven (default) or the compact three (Remember, Recall, Forget).</param>
    /// <returns>The tools.</returns>
    internal IReadOnlyList<AIFunction> CreateTools(MemoryScope scope, MemoryToolSet toolSet = MemoryToolSet.Full)
    {
        Throw.IfNull(scope);
        if (scope.SessionId is null)
        {
            throw new ArgumentException("Memory tools need a scope with a session.", nameof(scope));
        }

        return MemoryTools.Create(this, scope, toolSet);
    }
}
