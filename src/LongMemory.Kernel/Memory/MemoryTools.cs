using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using D = LongMemory.Kernel.MemoryToolDescriptions;

namespace LongMemory.Kernel;

/// <summary>
/// The memory tools as <see cref="AIFunction"/>s, bound to one scope when created: the model never supplies a user or
/// session id. Each tool is a thin binding over <see cref="MemoryToolOperations"/>.
/// </summary>
internal static class MemoryTools
{
    public static IReadOnlyList<AIFunction> Create(ChatMemory memory, MemoryScope scope)
    {
        var ops = new MemoryToolOperations(memory.ForScope(scope));
        var tools = new List<AIFunction>
        {
            AIFunctionFactory.Create(
                async ([Description(D.SaveContent)] string content, [Description(D.SaveCategory)] string? category = null, [Description(D.SaveImportance)] double? importance = null, CancellationToken cancellationToken = default)
                    => Json(await ops.SaveToModelMemoryAsync(content, category, importance, cancellationToken).ConfigureAwait(false)),
                D.SaveToModelMemoryName,
                D.SaveToModelMemory),
            AIFunctionFactory.Create(
                async ([Description(D.RetrieveQuery)] string? query = null, [Description(D.RetrieveTopK)] int? topK = null, CancellationToken cancellationToken = default)
                    => Json(await ops.RetrieveUserInfoAsync(query, topK, cancellationToken).ConfigureAwait(false)),
                D.RetrieveUserInfoName,
                D.RetrieveUserInfo),
            AIFunctionFactory.Create(
                async ([Description(D.SearchQuery)] string query, [Description(D.SearchAcrossSessions)] bool? acrossSessions = null, [Description(D.SearchTopK)] int? topK = null, CancellationToken cancellationToken = default)
                    => Json(await ops.SearchConversationHistoryAsync(query, acrossSessions, topK, cancellationToken).ConfigureAwait(false)),
                D.SearchConversationHistoryName,
                D.SearchConversationHistory),
            AIFunctionFactory.Create(
                async ([Description(D.SummarizeCount)] int? count = null, CancellationToken cancellationToken = default)
                    => Json(await ops.SummarizeOldestAsync(count, cancellationToken).ConfigureAwait(false)),
                D.SummarizeOldestName,
                D.SummarizeOldest),
            AIFunctionFactory.Create(
                async ([Description(D.ForgetId)] string id, CancellationToken cancellationToken = default)
                    => Json(await ops.ForgetMemoryAsync(id, cancellationToken).ConfigureAwait(false)),
                D.ForgetMemoryName,
                D.ForgetMemory),
            AIFunctionFactory.Create(
                async ([Description(D.RestoreMessageIds)] long[]? messageIds = null, [Description(D.RestoreSummaryId)] long? summaryId = null, CancellationToken cancellationToken = default)
                    => Json(await ops.RestoreTrimmedAsync(messageIds, summaryId, cancellationToken).ConfigureAwait(false)),
                D.RestoreTrimmedName,
                D.RestoreTrimmed),
            AIFunctionFactory.Create(
                async ([Description(D.ListKey)] string? key = null, CancellationToken cancellationToken = default)
                    => Json(await ops.ListKnowledgeAsync(key, cancellationToken).ConfigureAwait(false)),
                D.ListKnowledgeName,
                D.ListKnowledge),
        };

        return tools.Select(t => (AIFunction)new MemoryToolFunction(t)).ToList();
    }

    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
