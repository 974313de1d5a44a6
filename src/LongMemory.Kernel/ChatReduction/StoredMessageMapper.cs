using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Turns stored messages back into <see cref="ChatMessage"/>s.</summary>
internal static class StoredMessageMapper
{
    public static ChatMessage ToChatMessage(StoredMessage stored)
    {
        List<AIContent> contents = [];
        if (!string.IsNullOrEmpty(stored.ContentsJson))
        {
            var parsed = (IList<AIContent>?)JsonSerializer.Deserialize(stored.ContentsJson, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IList<AIContent>)));
            if (parsed is not null)
            {
                contents.AddRange(parsed);
            }
        }

        if (!string.IsNullOrEmpty(stored.Content) && !contents.OfType<TextContent>().Any())
        {
            contents.Insert(0, new TextContent(stored.Content));
        }

        return new ChatMessage(stored.Role, contents)
        {
            MessageId = stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
