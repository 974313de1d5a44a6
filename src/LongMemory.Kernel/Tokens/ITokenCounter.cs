using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Counts tokens the way a model's tokenizer does (exactly or by a calibrated estimate).</summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    int CountTokens(string text);

    /// <summary>Counts the tokens of chat messages, including the per-message overhead of the chat format.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The token count.</returns>
    int CountTokens(IEnumerable<ChatMessage> messages);
}
