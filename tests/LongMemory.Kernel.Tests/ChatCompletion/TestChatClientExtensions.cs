using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatCompletion;

internal static class TestChatClientExtensions
{
    public static LongMemoryChatClient CreateChatClientFor(this ChatMemory memory, IChatClient model, string? userId)
        => model.WithLongMemory(memory, new LongMemoryChatClientOptions { UserId = userId });
}
