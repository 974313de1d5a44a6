using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// Puts the memory middleware behind one chat client that serves many users and sessions: each call's user and session
/// come from <c>ChatOptions.AdditionalProperties</c> (<see cref="LongMemoryExecutionSettings.UserIdKey"/>,
/// <see cref="LongMemoryExecutionSettings.SessionIdKey"/>; Semantic Kernel's <c>ExtensionData</c> arrives there) or
/// <c>ChatOptions.ConversationId</c>, falling back to the configured user.
/// </summary>
/// <remarks>
/// One <see cref="LongMemoryChatClient"/> per user shares the inner client, so a user's calls never use another user's
/// session or data. The two keys are removed before the model's client sees the options.
/// </remarks>
internal sealed class PerCallScopeChatClient : DelegatingChatClient
{
    private readonly ChatMemory _memory;
    private readonly LongMemoryChatClientOptions _defaults;
    private readonly ConcurrentDictionary<string, LongMemoryChatClient> _perUser = new(StringComparer.Ordinal);

    public PerCallScopeChatClient(IChatClient innerClient, ChatMemory memory, LongMemoryChatClientOptions? defaults)
        : base(innerClient)
    {
        _memory = memory;
        _defaults = defaults ?? new LongMemoryChatClientOptions();
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, routed) = Route(options);
        return client.GetResponseAsync(messages, routed, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, routed) = Route(options);
        return client.GetStreamingResponseAsync(messages, routed, cancellationToken);
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        Throw.IfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ChatMemory))
        {
            return _memory;
        }

        return base.GetService(serviceType, serviceKey)
               ?? (serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("longmemory") : null);
    }

    private (LongMemoryChatClient Client, ChatOptions? Options) Route(ChatOptions? options)
    {
        var properties = options?.AdditionalProperties;
        var userId = Text(properties, LongMemoryExecutionSettings.UserIdKey) ?? _defaults.UserId;
        // The middleware itself reads both keys per call (and removes them before the model's client sees the options);
        // naming the session through ConversationId instead would make the middleware echo a conversation id, which
        // stops Semantic Kernel's function invocation from resending the history.
        var routed = options;

        var client = _perUser.GetOrAdd(userId ?? string.Empty, user => new LongMemoryChatClient(InnerClient, _memory, new LongMemoryChatClientOptions
        {
            UserId = user.Length == 0 ? null : user,
            SessionId = string.Equals(user, _defaults.UserId ?? string.Empty, StringComparison.Ordinal) ? _defaults.SessionId : null,
            OnContextReport = _defaults.OnContextReport,
            ForwardConversationId = _defaults.ForwardConversationId,
        }));
        return (client, routed);
    }

    private static string? Text(AdditionalPropertiesDictionary? properties, string key)
        => properties is not null && properties.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text)
            ? (value is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } json ? json.GetString() : text)
            : null;
}
