using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Counts what a request sends besides the messages' text: <c>ChatOptions.Instructions</c>, the tool definitions of
/// <c>ChatOptions.Tools</c> (name, description and JSON schema, as providers send them) and non-text contents.
/// </summary>
internal static class RequestTokenCounting
{
    /// <summary>Tokens a provider adds around each tool definition (the function wrapper); measured on OpenAI's models.</summary>
    internal const int TokensPerTool = 8;

    /// <summary>Counts the instructions (as a system message) and the tool definitions.</summary>
    public static int CountOptions(ITokenCounter counter, string? instructions, IEnumerable<AITool>? tools)
    {
        var total = 0;
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            total += counter.CountTokens([new ChatMessage(ChatRole.System, instructions)]) - counter.CountTokens([]);
        }

        foreach (var tool in tools ?? [])
        {
            total += CountTool(counter, tool);
        }

        return total;
    }

    /// <summary>Counts one tool definition: its name, description and, for a function, its parameters' JSON schema.</summary>
    public static int CountTool(ITokenCounter counter, AITool tool)
    {
        Throw.IfNull(tool);
        var total = TokensPerTool + counter.CountTokens(tool.Name) + counter.CountTokens(tool.Description ?? string.Empty);
        if (tool is AIFunctionDeclaration function)
        {
            total += counter.CountTokens(CompactSchema(function.JsonSchema));
        }

        return total;
    }

    /// <summary>Estimates the non-text contents of messages (images, inline data, references), which text counters count as nothing.</summary>
    public static int CountNonText(IEnumerable<ChatMessage> messages, NonTextContentTokens estimates)
    {
        var total = 0;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                total += content switch
                {
                    DataContent data when data.HasTopLevelMediaType("image") => estimates.ImageTokens,
                    DataContent data => (data.Data.Length + estimates.DataBytesPerToken - 1) / estimates.DataBytesPerToken,
                    UriContent uri when uri.HasTopLevelMediaType("image") => estimates.ImageTokens,
                    UriContent or HostedFileContent => estimates.OtherContentTokens,
                    _ => 0,
                };
            }
        }

        return total;
    }

    private static string CompactSchema(JsonElement schema)
    {
        if (schema.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return string.Empty;
        }

        // Providers send the schema as compact JSON.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            schema.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
