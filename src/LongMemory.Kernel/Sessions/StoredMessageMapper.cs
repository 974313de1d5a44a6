using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Maps between MEAI chat messages and stored messages, keeping tool calls and results intact.</summary>
internal static class StoredMessageMapper
{
    public static NewMessage ToNewMessage(ChatMessage message, int tokenCount, DateTimeOffset? createdAt = null, string? responseId = null)
    {
        var hasNonText = message.Contents.Any(c => c is not TextContent);
        var type = message.Role == ChatRole.System ? StoredMessageType.System
            : message.Role == ChatRole.Tool || message.Contents.Any(c => c is FunctionCallContent or FunctionResultContent) ? StoredMessageType.Tool
            : StoredMessageType.Chat;
        return new NewMessage
        {
            Role = message.Role,
            Content = message.Text ?? string.Empty,
            ContentsJson = hasNonText ? JsonSerializer.Serialize(message.Contents, AIJsonUtilities.DefaultOptions) : null,
            MessageType = type,
            ResponseId = responseId ?? message.MessageId,
            CreatedAt = createdAt ?? message.CreatedAt,
            TokenCount = tokenCount,
        };
    }

    public static ChatMessage ToChatMessage(StoredMessage message)
    {
        if (message.ContentsJson is { Length: > 0 } json)
        {
            var contents = JsonSerializer.Deserialize<IList<AIContent>>(json, AIJsonUtilities.DefaultOptions) ?? [];
            return new ChatMessage(message.Role, contents) { CreatedAt = message.CreatedAt, MessageId = message.ResponseId };
        }

        return new ChatMessage(message.Role, message.Content) { CreatedAt = message.CreatedAt, MessageId = message.ResponseId };
    }

    /// <summary>
    /// A fingerprint of a message's role and contents, used to recognise messages an app sends again. It rests on what
    /// survives conversions between frameworks (text, call ids and function names), not on exact serialization.
    /// </summary>
    public static string Fingerprint(ChatMessage message)
    {
        var text = new StringBuilder(message.Role.Value).Append('\n');
        foreach (var content in message.Contents)
        {
            _ = content switch
            {
                TextContent t => text.Append(t.Text),
                FunctionCallContent call => text.Append("\u0001call:").Append(call.CallId).Append(':').Append(call.Name),
                FunctionResultContent result => text.Append("\u0001result:").Append(result.CallId),
                DataContent data => text.Append("\u0001data:").Append(data.MediaType).Append(':').Append(data.Data.Length),
                UriContent uri => text.Append("\u0001uri:").Append(uri.Uri),
                _ => text.Append("\u0001").Append(content.GetType().Name),
            };
        }

        return text.ToString();
    }

    public static string Fingerprint(StoredMessage message)
        => message.ContentsJson is null ? message.Role.Value + "\n" + message.Content : Fingerprint(ToChatMessage(message));
}
