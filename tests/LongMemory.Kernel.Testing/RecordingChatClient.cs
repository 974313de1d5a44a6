using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Testing;

/// <summary>A chat client that records every prompt it receives and answers through a callback.</summary>
public sealed class RecordingChatClient : IChatClient
{
    private readonly List<IReadOnlyList<ChatMessage>> _prompts = [];
    private readonly object _gate = new();

    /// <summary>Gets or sets the answer function; by default it echoes the last user message.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, ChatResponse> Respond { get; set; } =
        (messages, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "You said: " + messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text))
        {
            ResponseId = Guid.NewGuid().ToString("N"),
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
        };

    /// <summary>Gets the prompts received, in order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Prompts
    {
        get
        {
            lock (_gate)
            {
                return [.. _prompts];
            }
        }
    }

    /// <summary>Gets the last prompt received.</summary>
    public IReadOnlyList<ChatMessage> LastPrompt => Prompts[^1];

    /// <summary>Gets the options of the last call.</summary>
    public ChatOptions? LastOptions { get; private set; }

    /// <summary>Gets the whole text of a prompt.</summary>
    public static string TextOf(IEnumerable<ChatMessage> prompt) => string.Join("\n", prompt.Select(m => m.Text));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (_gate)
        {
            _prompts.Add(list);
        }

        LastOptions = options;
        return Task.FromResult(Respond(list, options));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
