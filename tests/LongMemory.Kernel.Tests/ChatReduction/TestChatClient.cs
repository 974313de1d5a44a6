using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.ChatReduction;

/// <summary>A chat client fake: answers through a callback and counts calls.</summary>
internal sealed class TestChatClient : IChatClient
{
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, string> Respond { get; set; } = (_, _) => "A short summary.";

    public int Calls { get; private set; }

    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var list = messages.ToList();
        Requests.Add((list, options));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Respond(list, options))));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
