using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// The memory tools' behaviour, bound to one scope: one method per tool, each returning the compact JSON the model reads.
/// The <see cref="AIFunction"/> tools (<see cref="ScopedMemory.CreateTools()"/>), the Semantic Kernel plugin and any other
/// surface call these methods, so every surface behaves the same.
/// </summary>
/// <remarks>
/// Bad arguments and expected failures come back as <c>{"error": "..."}</c> the model can act on, never as an exception
/// with a stack trace. Cancellation still throws.
/// </remarks>
public sealed class MemoryToolOperations
{
    private const int MaxTopK = 20;
    private const int MaxTextLength = 600;

    // The compact Recall has no topK parameter: a fixed, small result keeps a small window's answer small too.
    private const int CompactRecallTopK = 8;

    // Compact: the model pays for every character of a result.
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private readonly ScopedMemory _memory;

    /// <summary>Initializes a new instance of the <see cref="MemoryToolOperations"/> class.</summary>
    /// <param name="memory">The memory of the user and session the tools act for (<c>memory.ForScope(scope)</c>); it needs a session.</param>
    /// <exception cref="ArgumentException">The scope has no session.</exception>
    public MemoryToolOperations(ScopedMemory memory)
    {
        _memory = Throw.IfNull(memory);
        if (memory.Scope.SessionId is null)
        {
            throw new ArgumentException("Memory tools need a scope with a session.", nameof(memory));
        }
    }

    /// <summary>Gets the scope the operations act for.</summary>
    public MemoryScope Scope => _memory.Scope;

    /// <summary>Saves something worth remembering about the user (see <see cref="MemoryToolDescriptions.SaveToModelMemory"/>).</summary>
    /// <param name="content">The fact, preference or note.</param>
    /// <param name="category">An optional category.</param>
    /// <param name="importance">An optional importance from 0 to 1 (default 0.5).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> SaveToModelMemoryAsync(string? content, string? category = null, double? importance = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.SaveToModelMemoryName, async () =>
        {
            Throw.IfNullOrWhitespace(content);
            var value = importance ?? 0.5;
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                throw new ArgumentException("importance must be between 0 and 1.", nameof(importance));
            }

            var entry = await _memory.SaveModelMemoryAsync(content, category, value, "model", cancellationToken).ConfigureAwait(false);
            return new() { ["saved"] = MemoryId(entry.Id), ["content"] = entry.Content, ["updated_existing"] = entry.UpdatedAt > entry.CreatedAt };
        });

    /// <summary>Looks up facts and saved memories about the user (see <see cref="MemoryToolDescriptions.RetrieveUserInfo"/>).</summary>
    /// <param name="query">An optional topic; empty lists everything known.</param>
    /// <param name="topK">The maximum number of items, 1 to 20 (default 10).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> RetrieveUserInfoAsync(string? query = null, int? topK = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.RetrieveUserInfoName, async () =>
        {
            var k = CheckTopK(topK ?? 10);
            var facts = new List<Dictionary<string, object?>>();
            var notes = new List<Dictionary<string, object?>>();
            if (string.IsNullOrWhiteSpace(query))
            {
                facts.AddRange((await _memory.GetKnowledgeAsync(null, cancellationToken).ConfigureAwait(false)).Take(k).Select(FactJson));
                notes.AddRange((await _memory.GetModelMemoryAsync(cancellationToken).ConfigureAwait(false)).Take(k).Select(NoteJson));
            }
            else
            {
                var hits = await _memory.RecallAsync(query, new RecallOptions { Collections = [MemoryCollections.Knowledge, MemoryCollections.ModelMemory], TopK = k }, cancellationToken).ConfigureAwait(false);
                foreach (var hit in hits)
                {
                    var entry = new Dictionary<string, object?> { ["text"] = Clip(hit.Text), ["relevance"] = Math.Round(Math.Min(1, hit.Score), 2) };
                    var isFact = hit.Item.Collection == MemoryCollections.Knowledge;
                    entry["id"] = hit.Item.Payload.TryGetValue("entry_id", out var id) ? (isFact ? "fact:" : "memory:") + id : null;
                    (isFact ? facts : notes).Add(entry);
                }
            }

            return new() { ["facts"] = facts, ["memories"] = notes };
        });

    /// <summary>Searches earlier messages (see <see cref="MemoryToolDescriptions.SearchConversationHistory"/>).</summary>
    /// <param name="query">What to search for.</param>
    /// <param name="acrossSessions">Whether to search the user's other conversations too (default true).</param>
    /// <param name="topK">The maximum number of results, 1 to 20 (default 5).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> SearchConversationHistoryAsync(string? query, bool? acrossSessions = null, int? topK = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.SearchConversationHistoryName, async () =>
        {
            Throw.IfNullOrWhitespace(query);
            var hits = await _memory.RecallAsync(query, new RecallOptions { TopK = CheckTopK(topK ?? 5), AcrossSessions = acrossSessions ?? true }, cancellationToken).ConfigureAwait(false);
            return new()
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
            };
        });

    /// <summary>Summarizes the oldest live messages of the session (see <see cref="MemoryToolDescriptions.SummarizeOldest"/>).</summary>
    /// <param name="count">How many of the oldest live messages, 2 to 200 (default 10).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> SummarizeOldestAsync(int? count = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.SummarizeOldestName, async () =>
        {
            var n = count ?? 10;
            if (n is < 2 or > 200)
            {
                throw new ArgumentException("count must be between 2 and 200.", nameof(count));
            }

            var result = await _memory.SummarizeOldestAsync(n, cancellationToken).ConfigureAwait(false);
            return new() { ["summaries_created"] = result.SummariesCreated, ["messages_trimmed"] = result.MessagesTrimmed };
        });

    /// <summary>Forgets a saved memory or a fact (see <see cref="MemoryToolDescriptions.ForgetMemory"/>).</summary>
    /// <param name="id">'memory:&lt;n&gt;' or 'fact:&lt;n&gt;'.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> ForgetMemoryAsync(string? id, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.ForgetMemoryName, () => ForgetCoreAsync(id, cancellationToken));

    /// <summary>Brings trimmed messages back into the context (see <see cref="MemoryToolDescriptions.RestoreTrimmed"/>).</summary>
    /// <param name="messageIds">Ids of trimmed messages; use this or <paramref name="summaryId"/>.</param>
    /// <param name="summaryId">A summary whose messages all come back; use this or <paramref name="messageIds"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> RestoreTrimmedAsync(IReadOnlyList<long>? messageIds = null, long? summaryId = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.RestoreTrimmedName, async () =>
        {
            if ((messageIds is null || messageIds.Count == 0) == (summaryId is null))
            {
                throw new ArgumentException("Give either messageIds or summaryId.", nameof(messageIds));
            }

            var restored = summaryId is { } sid
                ? await _memory.RestoreSummaryAsync(sid, cancellationToken).ConfigureAwait(false)
                : await _memory.RestoreMessagesAsync(messageIds!, cancellationToken).ConfigureAwait(false);
            return new() { ["restored_messages"] = restored };
        });

    /// <summary>Lists captured facts, or one key's history (see <see cref="MemoryToolDescriptions.ListKnowledge"/>).</summary>
    /// <param name="key">An optional key; with a key its full history is returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> ListKnowledgeAsync(string? key = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.ListKnowledgeName, async () =>
        {
            var entries = string.IsNullOrWhiteSpace(key)
                ? await _memory.GetKnowledgeAsync(null, cancellationToken).ConfigureAwait(false)
                : await _memory.GetKnowledgeHistoryAsync(key, cancellationToken).ConfigureAwait(false);
            return new() { ["facts"] = entries.Select(FactJson).ToList() };
        });

    /// <summary>
    /// Saves a note about the user with the default category and importance: the compact set's Remember tool
    /// (see <see cref="MemoryToolDescriptions.Remember"/>).
    /// </summary>
    /// <param name="content">The fact or preference, as a full sentence.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result: <c>{"saved":"memory:&lt;n&gt;"}</c>.</returns>
    public Task<string> RememberAsync(string? content, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.RememberName, async () =>
        {
            Throw.IfNullOrWhitespace(content);
            var entry = await _memory.SaveModelMemoryAsync(content, null, 0.5, "model", cancellationToken).ConfigureAwait(false);
            return new() { ["saved"] = MemoryId(entry.Id) };
        });

    /// <summary>
    /// Searches facts, saved notes and the user's conversations in one ranking, or lists the facts and notes when the
    /// query is empty: the compact set's Recall tool (see <see cref="MemoryToolDescriptions.Recall"/>).
    /// </summary>
    /// <param name="query">What to look for; empty lists the saved facts and notes.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>
    /// The JSON result: <c>{"results":[...]}</c>, each with its text and, for a fact or a note, the id Forget takes;
    /// past messages carry their date instead.
    /// </returns>
    public Task<string> RecallAsync(string? query = null, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.RecallName, async () =>
        {
            var results = new List<Dictionary<string, object?>>();
            if (string.IsNullOrWhiteSpace(query))
            {
                var facts = await _memory.GetKnowledgeAsync(null, cancellationToken).ConfigureAwait(false);
                results.AddRange(facts.Take(CompactRecallTopK).Select(f => new Dictionary<string, object?> { ["id"] = FactId(f.Id), ["text"] = Clip(f.Key + ": " + f.Value) }));
                var notes = await _memory.GetModelMemoryAsync(cancellationToken).ConfigureAwait(false);
                results.AddRange(notes.Take(CompactRecallTopK).Select(n => new Dictionary<string, object?> { ["id"] = MemoryId(n.Id), ["text"] = Clip(n.Content) }));
            }
            else
            {
                var options = new RecallOptions { Collections = [MemoryCollections.Knowledge, MemoryCollections.ModelMemory, MemoryCollections.Logs], TopK = CompactRecallTopK };
                foreach (var hit in await _memory.RecallAsync(query, options, cancellationToken).ConfigureAwait(false))
                {
                    var entry = new Dictionary<string, object?>();
                    if (hit.Item.Collection is MemoryCollections.Knowledge or MemoryCollections.ModelMemory)
                    {
                        entry["id"] = hit.Item.Payload.TryGetValue("entry_id", out var id) ? (hit.Item.Collection == MemoryCollections.Knowledge ? "fact:" : "memory:") + id : null;
                    }
                    else
                    {
                        entry["date"] = hit.Item.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                        entry["role"] = hit.Role;
                    }

                    entry["text"] = Clip(hit.Text);
                    results.Add(entry);
                }
            }

            return new() { ["results"] = results };
        });

    /// <summary>Forgets a saved note or a fact: the compact set's Forget tool (see <see cref="MemoryToolDescriptions.Forget"/>).</summary>
    /// <param name="id">'memory:&lt;n&gt;' or 'fact:&lt;n&gt;', as Recall returns it.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    public Task<string> ForgetAsync(string? id, CancellationToken cancellationToken = default)
        => RunAsync(MemoryToolDescriptions.ForgetName, () => ForgetCoreAsync(id, cancellationToken));

    /// <summary>Formats an error result: <c>{"error": message}</c>.</summary>
    /// <param name="message">The message for the model.</param>
    /// <returns>The JSON text.</returns>
    public static string Error(string message) => Serialize(new() { ["error"] = message });

    /// <summary>
    /// Turns an exception a tool call may raise (bad arguments, an unavailable store) into the JSON error the model sees,
    /// or returns <see langword="null"/> for one that should propagate. Every surface uses this one policy.
    /// </summary>
    /// <param name="toolName">The tool's name, which starts the message.</param>
    /// <param name="exception">The exception.</param>
    /// <returns>The JSON error, or <see langword="null"/>.</returns>
    public static string? ErrorFor(string toolName, Exception exception) => exception switch
    {
        ArgumentException or JsonException or FormatException or InvalidCastException or NotSupportedException or KeyNotFoundException or InvalidOperationException
            => Error(toolName + ": " + FirstLine(exception.Message)),
        LongMemoryStoreException => Error(toolName + ": the memory store is unavailable right now; try again later."),
        _ => null,
    };

    private static async Task<string> RunAsync(string toolName, Func<Task<Dictionary<string, object?>>> operation)
    {
        try
        {
            return Serialize(await operation().ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ErrorFor(toolName, ex) is not null)
        {
            return ErrorFor(toolName, ex)!;
        }
    }

    private async Task<Dictionary<string, object?>> ForgetCoreAsync(string? id, CancellationToken cancellationToken)
    {
        var (kind, number) = ParseId(id);
        var forgotten = kind == "memory"
            ? await _memory.ForgetModelMemoryAsync(number, cancellationToken).ConfigureAwait(false)
            : await _memory.ForgetKnowledgeAsync(number, cancellationToken).ConfigureAwait(false);
        return forgotten ? new() { ["forgotten"] = id } : new() { ["error"] = $"No memory with id '{id}' was found." };
    }

    private static string Serialize(Dictionary<string, object?> value) => JsonSerializer.Serialize(value, CompactJson);

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static int CheckTopK(int k)
    {
        if (k is < 1 or > MaxTopK)
        {
            throw new ArgumentException($"topK must be between 1 and {MaxTopK}.", nameof(k));
        }

        return k;
    }

    private static (string Kind, long Number) ParseId(string? id)
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

    private static string FactId(long id) => "fact:" + id.ToString(CultureInfo.InvariantCulture);

    private static string Clip(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength] + "…";

    private static Dictionary<string, object?> FactJson(KnowledgeEntry e) => new()
    {
        ["id"] = FactId(e.Id),
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
