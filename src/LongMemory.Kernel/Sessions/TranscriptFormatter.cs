using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Renders chat messages as a plain transcript ("User: ...") for summarizers and extractors.</summary>
internal static class TranscriptFormatter
{
    public static string Speaker(ChatRole role) =>
        role == ChatRole.User ? "User"
        : role == ChatRole.Assistant ? "Assistant"
        : role == ChatRole.Tool ? "Tool"
        : role == ChatRole.System ? "System"
        : role.Value;

    /// <summary>Renders one message as one line or a few lines, without the speaker label.</summary>
    public static string Body(ChatMessage message)
    {
        var builder = new StringBuilder();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text when !string.IsNullOrWhiteSpace(text.Text):
                    Append(builder, text.Text.Trim());
                    break;
                case FunctionCallContent call:
                    Append(builder, $"[called {call.Name}({FormatArguments(call.Arguments)})]");
                    break;
                case FunctionResultContent result:
                    Append(builder, $"[result: {FormatResult(result.Result)}]");
                    break;
            }
        }

        return builder.ToString();
    }

    public static string Render(IEnumerable<ChatMessage> messages)
    {
        var builder = new StringBuilder();
        foreach (var message in messages)
        {
            var body = Body(message);
            if (body.Length > 0)
            {
                builder.Append(Speaker(message.Role)).Append(": ").Append(body).Append('\n');
            }
        }

        return builder.ToString().TrimEnd();
    }

    private static void Append(StringBuilder builder, string text)
    {
        if (builder.Length > 0)
        {
            builder.Append(' ');
        }

        builder.Append(text);
    }

    private static string FormatArguments(IDictionary<string, object?>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return string.Empty;
        }

        return string.Join(", ", arguments.Select(a => $"{a.Key}: {FormatResult(a.Value)}"));
    }

    private static string FormatResult(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString() ?? string.Empty : element.GetRawText(),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
