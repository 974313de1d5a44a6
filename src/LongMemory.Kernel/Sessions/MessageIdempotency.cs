using System.Globalization;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Derives the idempotency keys of appended messages from <see cref="ChatMessage.MessageId"/>, so that an app retrying
/// a call that failed after its messages were committed (a crash, a full disk during indexing) stores them once.
/// </summary>
internal static class MessageIdempotency
{
    private const string Prefix = "message-id:";

    /// <summary>
    /// Returns <paramref name="toStore"/> with keys derived from the messages' ids (messages without one keep no key).
    /// An id repeated within one call keeps each message apart (its 2nd, 3rd... use get an ordinal), and the same call
    /// retried derives the same keys.
    /// </summary>
    public static List<NewMessage> DeriveKeys(IReadOnlyList<ChatMessage> messages, List<NewMessage> toStore)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < toStore.Count; i++)
        {
            var id = messages[i].MessageId;
            if (string.IsNullOrWhiteSpace(id) || toStore[i].IdempotencyKey is not null)
            {
                continue;
            }

            var occurrence = seen.TryGetValue(id, out var count) ? count + 1 : 1;
            seen[id] = occurrence;
            var key = occurrence == 1 ? Prefix + id : Prefix + id + "#" + occurrence.ToString(CultureInfo.InvariantCulture);
            var message = toStore[i];
            toStore[i] = new NewMessage
            {
                Role = message.Role,
                Content = message.Content,
                MessageType = message.MessageType,
                ResponseId = message.ResponseId,
                IdempotencyKey = key,
                CreatedAt = message.CreatedAt,
                TokenCount = message.TokenCount,
                ContentsJson = message.ContentsJson,
                Metadata = message.Metadata,
            };
        }

        return toStore;
    }
}
