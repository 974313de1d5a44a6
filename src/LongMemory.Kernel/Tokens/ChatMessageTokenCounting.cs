using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Counts chat messages from the tokens of their parts, in the cookbook's way.</summary>
internal static class ChatMessageTokenCounting
{
    // MEAI's defaults indent; models receive arguments and results as compact JSON.
    private static readonly JsonSerializerOptions CompactJson = CreateCompactJson();

    /// <summary>Counts messages: overhead, role, author name and the text of each content.</summary>
    /// <remarks>
    /// Text is that of <see cref="TextContent"/>; a <see cref="FunctionCallContent"/> counts its name and its
    /// arguments as JSON; a <see cref="FunctionResultContent"/> counts its result (a string as is, anything else as
    /// JSON). Other contents (images, reasoning, usage) are not sent back as prompt text and count nothing.
    /// </remarks>
    public static int Count(IEnumerable<ChatMessage> messages, ChatTokenOverheadOptions overhead, Func<string, int> countText)
    {
        Throw.IfNull(messages);
        var total = 0;
        foreach (var message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException("The messages must not contain null.", nameof(messages));
            }

            total += overhead.TokensPerMessage + countText(message.Role.Value);
            if (!string.IsNullOrEmpty(message.AuthorName))
            {
                total += overhead.TokensPerName + countText(message.AuthorName);
            }

            foreach (var content in message.Contents)
            {
                total += content switch
                {
                    TextContent text => countText(text.Text ?? string.Empty),
                    FunctionCallContent call => countText(call.Name) + (call.Arguments is null ? 0 : countText(ToJson(call.Arguments))),
                    FunctionResultContent result => countText(ResultText(result.Result)),
                    _ => 0,
                };
            }
        }

        return total + overhead.ReplyPrimingTokens;
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement element => element.GetRawText(),
        _ => ToJson(result),
    };

    private static string ToJson(object value)
        => JsonSerializer.Serialize(value, CompactJson.GetTypeInfo(value.GetType()));

    private static JsonSerializerOptions CreateCompactJson()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }
}
