using System.ComponentModel;
using Microsoft.SemanticKernel;
using D = LongMemory.Kernel.MemoryToolDescriptions;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// The memory tools as a Semantic Kernel plugin, bound to one user and session when constructed: the model never
/// supplies a user or session id. Results are compact JSON; bad arguments come back as <c>{"error": "..."}</c>.
/// </summary>
/// <remarks>
/// Each function calls <see cref="MemoryToolOperations"/>, the same code behind <see cref="ScopedMemory.CreateTools()"/>,
/// so the plugin and the <c>AIFunction</c> tools behave identically. Register it with
/// <c>kernel.Plugins.AddLongMemory(memory, scope)</c> or <c>kernelBuilder.Plugins.AddLongMemory(memory, scope)</c>.
/// </remarks>
public sealed class LongMemoryPlugin
{
    /// <summary>The default plugin name.</summary>
    public const string DefaultPluginName = "memory";

    private readonly MemoryToolOperations _operations;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryPlugin"/> class.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for; it needs a session.</param>
    public LongMemoryPlugin(ChatMemory memory, MemoryScope scope) => _operations = new MemoryToolOperations(Throw.IfNull(memory).ForScope(scope));

    /// <summary>Gets the scope the functions act for.</summary>
    public MemoryScope Scope => _operations.Scope;

    /// <summary>Saves something worth remembering about the user.</summary>
    /// <param name="content">The fact, preference or note.</param>
    /// <param name="category">An optional category.</param>
    /// <param name="importance">An optional importance from 0 to 1.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.SaveToModelMemoryName)]
    [Description(D.SaveToModelMemory)]
    public Task<string> SaveToModelMemoryAsync(
        [Description(D.SaveContent)] string content,
        [Description(D.SaveCategory)] string? category = null,
        [Description(D.SaveImportance)] double? importance = null,
        CancellationToken cancellationToken = default)
        => _operations.SaveToModelMemoryAsync(content, category, importance, cancellationToken);

    /// <summary>Looks up facts and saved memories about the user.</summary>
    /// <param name="query">An optional topic.</param>
    /// <param name="topK">The maximum number of items.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.RetrieveUserInfoName)]
    [Description(D.RetrieveUserInfo)]
    public Task<string> RetrieveUserInfoAsync(
        [Description(D.RetrieveQuery)] string? query = null,
        [Description(D.RetrieveTopK)] int? topK = null,
        CancellationToken cancellationToken = default)
        => _operations.RetrieveUserInfoAsync(query, topK, cancellationToken);

    /// <summary>Searches earlier messages.</summary>
    /// <param name="query">What to search for.</param>
    /// <param name="acrossSessions">Whether to search the user's other conversations too.</param>
    /// <param name="topK">The maximum number of results.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.SearchConversationHistoryName)]
    [Description(D.SearchConversationHistory)]
    public Task<string> SearchConversationHistoryAsync(
        [Description(D.SearchQuery)] string query,
        [Description(D.SearchAcrossSessions)] bool? acrossSessions = null,
        [Description(D.SearchTopK)] int? topK = null,
        CancellationToken cancellationToken = default)
        => _operations.SearchConversationHistoryAsync(query, acrossSessions, topK, cancellationToken);

    /// <summary>Summarizes the oldest live messages of the conversation.</summary>
    /// <param name="count">How many messages.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.SummarizeOldestName)]
    [Description(D.SummarizeOldest)]
    public Task<string> SummarizeOldestAsync(
        [Description(D.SummarizeCount)] int? count = null,
        CancellationToken cancellationToken = default)
        => _operations.SummarizeOldestAsync(count, cancellationToken);

    /// <summary>Forgets a saved memory or a fact.</summary>
    /// <param name="id">The id to forget.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.ForgetMemoryName)]
    [Description(D.ForgetMemory)]
    public Task<string> ForgetMemoryAsync(
        [Description(D.ForgetId)] string id,
        CancellationToken cancellationToken = default)
        => _operations.ForgetMemoryAsync(id, cancellationToken);

    /// <summary>Brings trimmed messages back into the context.</summary>
    /// <param name="messageIds">Ids of trimmed messages.</param>
    /// <param name="summaryId">A summary whose messages all come back.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.RestoreTrimmedName)]
    [Description(D.RestoreTrimmed)]
    public Task<string> RestoreTrimmedAsync(
        [Description(D.RestoreMessageIds)] long[]? messageIds = null,
        [Description(D.RestoreSummaryId)] long? summaryId = null,
        CancellationToken cancellationToken = default)
        => _operations.RestoreTrimmedAsync(messageIds, summaryId, cancellationToken);

    /// <summary>Lists captured facts, or one key's history.</summary>
    /// <param name="key">An optional key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.ListKnowledgeName)]
    [Description(D.ListKnowledge)]
    public Task<string> ListKnowledgeAsync(
        [Description(D.ListKey)] string? key = null,
        CancellationToken cancellationToken = default)
        => _operations.ListKnowledgeAsync(key, cancellationToken);
}
