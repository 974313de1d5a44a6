using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// The one place index items are built from source rows (messages, summaries, knowledge, model memory, documents):
/// their ids, collections, types, texts and payloads. Items come back without vectors; the indexer embeds them.
/// </summary>
internal static class IndexItemBuilder
{
    /// <summary>Whether a message belongs in the conversation log (chat and report messages of users and assistants with text).</summary>
    public static bool ShouldIndex(StoredMessage message)
        => !string.IsNullOrWhiteSpace(message.Content)
           && (message.Role == ChatRole.User || message.Role == ChatRole.Assistant)
           && message.MessageType is StoredMessageType.Chat or StoredMessageType.Report;

    /// <summary>The chunks of a message. Identical content in the same session gets the same ids, so it is indexed once.</summary>
    public static IReadOnlyList<MemoryItem> ForMessage(StoredMessage message, TextChunker chunker)
    {
        if (!ShouldIndex(message))
        {
            return [];
        }

        var chunks = chunker.Chunk(message.Content);
        var items = new List<MemoryItem>(chunks.Count);
        foreach (var chunk in chunks)
        {
            var payload = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["message_id"] = message.Id.ToString(CultureInfo.InvariantCulture),
                ["conversation_id"] = message.SessionId,
                ["chunk_index"] = chunk.Index.ToString(CultureInfo.InvariantCulture),
                ["chunk_count"] = chunks.Count.ToString(CultureInfo.InvariantCulture),
                ["role"] = message.Role.Value,
            };
            if (message.ResponseId is not null)
            {
                payload["response_id"] = message.ResponseId;
            }

            items.Add(new MemoryItem
            {
                Id = LogItemId(message.SessionId, chunk.Index, chunk.Text),
                Collection = MemoryCollections.Logs,
                UserId = message.Owner.Key,
                SessionId = message.SessionId,
                Type = message.MessageType == StoredMessageType.Report ? "report" : "message",
                Text = chunk.Text,
                CreatedAt = message.CreatedAt,
                Payload = payload,
            });
        }

        return items;
    }

    public static MemoryItem ForSummary(ConversationSummary summary, MemoryOwner owner) => new()
    {
        Id = SummaryItemId(summary.Id),
        Collection = MemoryCollections.Logs,
        UserId = owner.Key,
        SessionId = summary.SessionId,
        Type = "summary",
        Text = summary.Content,
        CreatedAt = summary.CreatedAt,
        Payload = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary_id"] = summary.Id.ToString(CultureInfo.InvariantCulture),
            ["level"] = summary.Level.ToString(CultureInfo.InvariantCulture),
            ["first_message_id"] = summary.FirstMessageId.ToString(CultureInfo.InvariantCulture),
            ["last_message_id"] = summary.LastMessageId.ToString(CultureInfo.InvariantCulture),
        },
    };

    /// <summary>One item per key: a superseding value replaces it, so recall only sees current facts.</summary>
    public static MemoryItem ForKnowledge(KnowledgeEntry entry) => new()
    {
        Id = KnowledgeItemId(entry.Key),
        Collection = MemoryCollections.Knowledge,
        UserId = entry.Owner.Key,
        SessionId = entry.SessionId,
        Type = "fact",
        Text = KnowledgeHints.IndexText(entry.Key, entry.Value),
        CreatedAt = entry.ValidFrom,
        Payload = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["entry_id"] = entry.Id.ToString(CultureInfo.InvariantCulture),
            ["key"] = entry.Key,
            ["value"] = entry.Value,
            ["confidence"] = entry.Confidence.ToString("0.###", CultureInfo.InvariantCulture),
        },
    };

    /// <summary>Model memory belongs to the owner; its item carries the session it was saved in, so a soft-deleted session hides it from recall.</summary>
    public static MemoryItem ForModelMemory(ModelMemoryEntry entry) => new()
    {
        Id = ModelMemoryItemId(entry.Id),
        Collection = MemoryCollections.ModelMemory,
        UserId = entry.Owner.Key,
        SessionId = entry.SessionId,
        Type = "memory",
        Text = entry.Content,
        CreatedAt = entry.CreatedAt,
        Payload = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["entry_id"] = entry.Id.ToString(CultureInfo.InvariantCulture),
            ["category"] = entry.Category ?? string.Empty,
            ["importance"] = entry.Importance.ToString("0.###", CultureInfo.InvariantCulture),
        },
    };

    public static IReadOnlyList<MemoryItem> ForDocument(StoredDocument document, TextChunker chunker)
    {
        var chunks = chunker.Chunk(document.Text);
        return chunks.Select(chunk => new MemoryItem
        {
            Id = DocumentItemId(document.DocumentId, chunk.Index),
            Collection = MemoryCollections.Documents,
            UserId = document.Owner.Key,
            SessionId = document.SessionId,
            Type = "document",
            Text = chunk.Text,
            CreatedAt = document.UpdatedAt,
            Payload = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["document_id"] = document.DocumentId,
                ["title"] = document.Title,
                ["chunk_index"] = chunk.Index.ToString(CultureInfo.InvariantCulture),
                ["chunk_count"] = chunks.Count.ToString(CultureInfo.InvariantCulture),
            },
        }).ToList();
    }

    public static MemoryItem WithVector(MemoryItem item, ReadOnlyMemory<float> vector) => new()
    {
        Id = item.Id,
        Collection = item.Collection,
        UserId = item.UserId,
        SessionId = item.SessionId,
        Type = item.Type,
        Text = item.Text,
        CreatedAt = item.CreatedAt,
        Payload = item.Payload,
        Vector = vector,
    };

    public static string LogItemId(string sessionId, int chunkIndex, string text)
        => "log:" + Hash(sessionId + "\n" + chunkIndex.ToString(CultureInfo.InvariantCulture) + "\n" + text);

    public static string SummaryItemId(long summaryId) => "sum:" + summaryId.ToString(CultureInfo.InvariantCulture);

    public static string KnowledgeItemId(string key) => "kn:" + key;

    public static string ModelMemoryItemId(long entryId) => "mm:" + entryId.ToString(CultureInfo.InvariantCulture);

    public static string DocumentItemId(string documentId, int chunkIndex) => "doc:" + documentId + ":" + chunkIndex.ToString(CultureInfo.InvariantCulture);

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexString(digest[..12]).ToLowerInvariant();
    }
}
