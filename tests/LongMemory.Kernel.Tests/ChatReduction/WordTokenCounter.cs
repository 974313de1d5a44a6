using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatReduction;

/// <summary>A token counter fake: one token per whitespace-separated word, plus 4 per message.</summary>
internal sealed class WordTokenCounter : ITokenCounter
{
    public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public int CountTokens(IEnumerable<ChatMessage> messages)
    {
        var total = 0;
        foreach (var message in messages)
        {
            total += 4;
            foreach (var content in message.Contents)
            {
                total += content switch
                {
                    TextContent t => CountTokens(t.Text),
                    FunctionCallContent c => 3 + (c.Arguments?.Count ?? 0) * 2,
                    FunctionResultContent r => 2 + CountTokens(r.Result?.ToString() ?? string.Empty),
                    _ => 1,
                };
            }
        }

        return total;
    }
}
