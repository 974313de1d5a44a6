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
    public static IReadOnlyList<AIFunction> Create(ChatMemory memory, MemoryScope scope, MemoryToolSet toolSet = MemoryToolSet.Full)
    {
        CheckDefined(toolSet);
        var ops = new MemoryToolOperations(memory.ForScope(scope));
        var tools = toolSet == MemoryToolSet.Compact ? Compact(ops) : Full(ops);
        return tools.Select(t => (AIFunction)new MemoryToolFunction(t)).ToList();
    }

    /// <summary>
    /// Returns <paramref name="options"/> with the memory tools of <paramref name="toolSet"/> added (a clone; the caller's
    /// options are never changed), or the options as they are when <paramref name="toolSet"/> is <see langword="null"/>.
    /// A tool the call already offers under the same name is kept as the caller gave it.
    /// </summary>
    public static ChatOptions? Offer(ChatOptions? options, ChatMemory memory, MemoryScope scope, MemoryToolSet? toolSet)
    {
        if (toolSet is not { } set)
        {
            return options;
        }

        var offered = options?.Clone() ?? new ChatOptions();
        var tools = offered.Tools is null ? new List<AITool>() : new List<AITool>(offered.Tools);
        var names = tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        tools.AddRange(Create(memory, scope, set).Where(t => !names.Contains(t.Name)));
        offered.Tools = tools;
        return offered;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the parameter when the value is not a defined set.</summary>
    public static MemoryToolSet CheckDefined(MemoryToolSet toolSet, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(toolSet))] string? paramName = null)
        => Enum.IsDefined(toolSet) ? toolSet : throw new ArgumentOutOfRangeException(paramName, toolSet, $"{paramName} must be MemoryToolSet.Full or MemoryToolSet.Compact.");

    // One parameter each, no parameter descriptions: the tool description says what the parameter is.
    private static List<AIFunction> Compact(MemoryToolOperations ops) =>
    [
        AIFunctionFactory.Create(
            async (string content, CancellationToken cancellationToken = default)
                => Json(await ops.RememberAsync(content, cancellationToken).ConfigureAwait(false)),
            D.RememberName,
            D.Remember),
        AIFunctionFactory.Create(
            async (string? query = null, CancellationToken cancellationToken = default)
                => Json(await ops.RecallAsync(query, cancellationToken).ConfigureAwait(false)),
            D.RecallName,
            D.Recall),
        AIFunctionFactory.Create(
            async (string id, CancellationToken cancellationToken = default)
                => Json(await ops.ForgetAsync(id, cancellationToken).ConfigureAwait(false)),
            D.ForgetName,
            D.Forget),
    ];

    private static List<AIFunction> Full(MemoryToolOperations ops)
    {
        return new List<AIFunction>
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
    }

    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
