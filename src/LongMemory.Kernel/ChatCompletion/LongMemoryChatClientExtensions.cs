using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Extension methods that add long-term memory to a chat client without dependency injection.</summary>
public static class LongMemoryChatClientExtensions
{
    /// <summary>Wraps a chat client with <see cref="LongMemoryChatClient"/>.</summary>
    /// <param name="chatClient">The model's client.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The options (user, session, report callback).</param>
    /// <returns>The memory-enabled client.</returns>
    public static LongMemoryChatClient WithLongMemory(this IChatClient chatClient, ChatMemory memory, LongMemoryChatClientOptions? options = null)
        => new(chatClient, memory, options);
}
