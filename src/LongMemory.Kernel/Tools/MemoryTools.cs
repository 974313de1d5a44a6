using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// The memory tools a model can call, bound to one scope when created: the model never supplies a user or session id.
/// </summary>
internal static class MemoryTools
{
    private const int MaxTopK = 20;
    private const int MaxTextLength = 600;

    public static IReadOnlyList<AIFunction> Create(ChatMemory memory, MemoryScope scope)
    {
        var tools = new List<AIFunction>
        {
            AIFunctionFactory.Create(
                async ([Description("The fact, preference or note to remember, written as a full sentence about the user.")] string content,
                       [Description("Optional category such as preference, personal, work, task.")] string? category = null,
                       [Description("Optional importance from 0 (trivial) to 1 (critical). Default 0.5.")] double? importance = null,
                       CancellationToken cancellationToken = default) =>
                {
                    var entry = await memory.SaveModelMemoryAsync(scope, content, category, importance ?? 0.5, "model", cancellationToken).ConfigureAwait(false);
                    return Json(new() { ["saved"] = MemoryId(entry.Id), ["content"] = entry.Content, ["updated_existing"] = entry.UpdatedAt > entry.CreatedAt });
                },
                "SaveToModelMemory",
                "Saves something worth remembering about the user across conversations (a preference, a personal fact, a decision, an ongoing task). " +
                "Call it when the user tells you something they would expect you to remember later, or asks you to remember something. " +
                "A near-duplicate of an existing memory updates it instead of adding a copy."),

            AIFunctionFactory.Create(
                async ([Description("Optional topic to look for, e.g. 'favorite food' or 'where they live'. Leave empty to list everything known.")] string? query = null,
                       [Description("Maximum number of items, 1 to 20. Default 10.")] int? topK = null,
                       CancellationToken cancellationToken = default) =>
                {
                    var k = CheckTopK(topK);
                    var facts = new List<Dictionary<string, object?>>();
                    var notes = new List<Dictionary<string, object?>>();
                    if (string.IsNullOrWhiteSpace(query))
                    {
                        facts.AddRange((await memory.GetKnowledgeAsync(scope, null, cancellationToken).ConfigureAwait(false)).Take(k).Select(FactJson));
                        notes.AddRange((await memory.GetModelMemoryAsync(scope, cancellationToken).ConfigureAwait(false)).Take(k).Select(NoteJson));
                    }
                    else
                    {
                        var hits = await memory.RecallAsync(scope, query, new RecallOptions { Collections = [MemoryCollections.Knowledge, MemoryCollections.ModelMemory], TopK = k }, cancellationToken).ConfigureAwait(false);
                        foreach (var hit in hits)
                        {
                            var entry = new Dictionary<string, object?> { ["text"] = Clip(hit.Text), ["relevance"] = Math.Round(Math.Min(1, hit.Score), 2) };
                            if (hit.Item.Collection == MemoryCollections.Knowledge)
                            {
                                entry["id"] = hit.Item.Payload.TryGetValue("entry_id", out var id) ? "fact:" + id : null;
                                facts.Add(entry);
                            }
                            else
                            {
                                entry["id"] = hit.Item.Payload.TryGetValue("entry_id", out var id) ? "memory:" + id : null;
                                notes.Add(entry);
                            }
                        }
                    }

                    return Json(new() { ["facts"] = facts, ["memories"] = notes });
                },
                "RetrieveUserInfo",
                "Looks up what is known about the user: captured facts (name, location, job, family, likes...) and saved memories. " +
                "Call it before answering questions about the user's preferences or personal details, or when personalising an answer."),

            AIFunctionFactory.Create(
                async ([Description("What to search for in earlier messages, in plain words.")] string query,
                       [Description("Search the user's other conversations too (true) or only this one (false). Default true.")] bool? acrossSessions = null,
                       [Description("Maximum number of results, 1 to 20. Default 5.")] int? topK = null,
                       CancellationToken cancellationToken = default) =>
                {
                    var hits = await memory.RecallAsync(scope, query, new RecallOptions { TopK = CheckTopK(topK ?? 5), AcrossSessions = acrossSessions ?? true }, cancellationToken).ConfigureAwait(false);
                    return Json(new()
                    {
                        ["results"] = hits.Select(h => new Dictionary<string, object?>
                        {
                            ["message_id"] = h.MessageId,
                            ["this_conversation"] = h.FromCurrentSession,
                            ["date"] = h.Item.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                            ["role"] = h.Role,
                            ["text"] = Clip(h.Text),
                            ["relevance"] = Math.Round(Math.Min(1, h.Score), 2),
                        }).ToList(),
                    });
                },
                "SearchConversationHistory",
                "Searches earlier messages of the conversation (and optionally the user's other conversations) for what was said about a topic. " +
                "Call it when the user refers to something discussed before that is not in the visible conversation."),

            AIFunctionFactory.Create(
                async ([Description("How many of the oldest live messages to summarize, 2 to 200. Default 10.")] int? count = null,
                       CancellationToken cancellationToken = default) =>
                {
                    var n = count ?? 10;
                    if (n is < 2 or > 200)
                    {
                        throw new ArgumentException("count must be between 2 and 200.", nameof(count));
                    }

                    var result = await memory.SummarizeOldestAsync(scope, n, cancellationToken).ConfigureAwait(false);
                    return Json(new() { ["summaries_created"] = result.SummariesCreated, ["messages_trimmed"] = result.MessagesTrimmed });
                },
                "SummarizeOldest",
                "Condenses the oldest messages of this conversation into a summary to free context space; the messages stay restorable. " +
                "Call it when the conversation is long and older details are no longer needed verbatim."),

            AIFunctionFactory.Create(
                async ([Description("The id to forget, as returned by another memory tool: 'memory:<n>' for a saved memory or 'fact:<n>' for a fact.")] string id,
                       CancellationToken cancellationToken = default) =>
                {
                    var (kind, number) = ParseId(id);
                    var forgotten = kind == "memory"
                        ? await memory.ForgetModelMemoryAsync(scope, number, cancellationToken).ConfigureAwait(false)
                        : await memory.ForgetKnowledgeAsync(scope, number, cancellationToken).ConfigureAwait(false);
                    return forgotten ? Json(new() { ["forgotten"] = id }) : Error($"No memory with id '{id}' was found.");
                },
                "ForgetMemory",
                "Forgets a saved memory or a fact about the user. Call it when the user asks you to forget something or says a remembered item is wrong. " +
                "Use an id returned by RetrieveUserInfo or ListKnowledge."),

            AIFunctionFactory.Create(
                async ([Description("Ids of trimmed messages to bring back, e.g. [12, 13]. Use this or summaryId.")] long[]? messageIds = null,
                       [Description("The id of a summary whose messages should all come back. Use this or messageIds.")] long? summaryId = null,
                       CancellationToken cancellationToken = default) =>
                {
                    if ((messageIds is null || messageIds.Length == 0) == (summaryId is null))
                    {
                        throw new ArgumentException("Give either messageIds or summaryId.", nameof(messageIds));
                    }

                    var restored = summaryId is { } sid
                        ? await memory.RestoreSummaryAsync(scope, sid, cancellationToken).ConfigureAwait(false)
                        : await memory.RestoreMessagesAsync(scope, messageIds!, cancellationToken).ConfigureAwait(false);
                    return Json(new() { ["restored_messages"] = restored });
                },
                "RestoreTrimmed",
                "Brings summarized (trimmed) messages of this conversation back into the context verbatim. " +
                "Call it when a summary lacks a detail you need and you know the message or summary ids (from SearchConversationHistory or the summary block)."),

            AIFunctionFactory.Create(
                async ([Description("Optional key such as 'location' or 'favorite_food'; with a key, its full history (old values included) is returned.")] string? key = null,
                       CancellationToken cancellationToken = default) =>
                {
                    var entries = string.IsNullOrWhiteSpace(key)
                        ? await memory.GetKnowledgeAsync(scope, null, cancellationToken).ConfigureAwait(false)
                        : await memory.GetKnowledgeHistoryAsync(scope, key, cancellationToken).ConfigureAwait(false);
                    return Json(new() { ["facts"] = entries.Select(FactJson).ToList() });
                },
                "ListKnowledge",
                "Lists the facts captured about the user (key, value, since when). With a key, shows how that fact changed over time. " +
                "Call it when the user asks what you know about them or how something changed."),
        };

        return tools.Select(t => (AIFunction)new MemoryToolFunction(t)).ToList();
    }

    internal static JsonElement Error(string message) => Json(new() { ["error"] = message });

    private static JsonElement Json(Dictionary<string, object?> value)
        => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions);

    private static int CheckTopK(int? topK)
    {
        var k = topK ?? 10;
        if (k is < 1 or > MaxTopK)
        {
            throw new ArgumentException($"topK must be between 1 and {MaxTopK}.", nameof(topK));
        }

        return k;
    }

    private static (string Kind, long Number) ParseId(string id)
    {
        Throw.IfNullOrWhitespace(id);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? id[..colon].Trim().ToLowerInvariant() : string.Empty;
        if (kind is not ("memory" or "fact") || !long.TryParse(id[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            throw new ArgumentException($"'{id}' is not a memory id; expected 'memory:<n>' or 'fact:<n>'.", nameof(id));
        }

        return (kind, number);
    }

    private static string MemoryId(long id) => "memory:" + id.ToString(CultureInfo.InvariantCulture);

    private static string Clip(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength] + "…";

    private static Dictionary<string, object?> FactJson(KnowledgeEntry e) => new()
    {
        ["id"] = "fact:" + e.Id.ToString(CultureInfo.InvariantCulture),
        ["key"] = e.Key,
        ["value"] = e.IsForgotten ? null : e.Value,
        ["since"] = e.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["current"] = e.IsCurrent,
        ["forgotten"] = e.IsForgotten,
    };

    private static Dictionary<string, object?> NoteJson(ModelMemoryEntry e) => new()
    {
        ["id"] = MemoryId(e.Id),
        ["text"] = Clip(e.Content),
        ["category"] = e.Category,
        ["importance"] = e.Importance,
    };
}
