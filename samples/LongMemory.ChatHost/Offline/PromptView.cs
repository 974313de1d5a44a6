using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Offline;

/// <summary>What an assembled prompt holds, read back from the messages a model would receive.</summary>
/// <param name="Question">The text of the last user message (the one to answer).</param>
/// <param name="Blocks">The memory blocks, in prompt order.</param>
/// <param name="RecentTurns">The verbatim recent turns before the question.</param>
/// <param name="MatchingRecentTurns">The recent turns that share words with the question, best first.</param>
/// <param name="SystemMessageCount">The number of system messages that are not memory blocks (instructions).</param>
internal sealed record PromptView(
    string Question,
    IReadOnlyList<PromptMemoryBlock> Blocks,
    IReadOnlyList<ChatMessage> RecentTurns,
    IReadOnlyList<ChatMessage> MatchingRecentTurns,
    int SystemMessageCount)
{
    /// <summary>Gets the total number of recalled items across blocks.</summary>
    public int RecalledItemCount => Blocks.Sum(b => b.Items.Count);
}
