using LongMemory.Kernel.Integration;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.AgentFramework;

/// <summary>
/// Long-term memory for Agent Framework agents: before each run it supplies the recalled knowledge, saved notes and
/// relevant past conversation (the user's other sessions and this session's summarized turns), fenced as data and within
/// <see cref="LongMemoryAgentOptions.MaxContextShare"/> of the prompt budget, and the memory tools bound to the run's
/// user and session; after each run it records the turn unless <see cref="LongMemoryChatHistoryProvider"/> already does.
/// </summary>
/// <remarks>
/// The recalled context goes into the run's instructions, never into its messages, so no history provider persists it.
/// The text is the core's context assembly (<see cref="ScopedMemory.AssembleContextAsync"/>), fencing included.
/// </remarks>
public sealed class LongMemoryContextProvider : AIContextProvider
{
    private static readonly string[] RecallLabels = [MemoryAdapter.KnowledgeLabel, MemoryAdapter.PastConversationLabel, MemoryAdapter.ModelMemoryLabel, MemoryAdapter.DocumentsLabel];

    private readonly MemoryAdapter _memory;
    private readonly LongMemoryAgentOptions _options;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryContextProvider"/> class.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The options; validated here.</param>
    public LongMemoryContextProvider(ChatMemory memory, LongMemoryAgentOptions? options = null)
    {
        _memory = new MemoryAdapter(Throw.IfNull(memory));
        _options = (options ?? new LongMemoryAgentOptions()).Validate();
    }

    /// <inheritdoc />
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(context);
        var scope = await AgentScopes.ResolveAsync(_memory, context.Agent, context.Session, _options, cancellationToken).ConfigureAwait(false);
        var query = (context.AIContext.Messages ?? []).Where(m => m.Role == ChatRole.User).ToList();
        string? instructions = null;
        if (query.Count > 0)
        {
            var assembled = await _memory.AssembleAsync(scope, query, cancellationToken).ConfigureAwait(false);
            instructions = _memory.RecalledInstructions(assembled, RecallLabels, (int)(_memory.PromptBudget * _options.MaxContextShare));
        }

        return new AIContext { Instructions = instructions, Tools = [.. _memory.CreateTools(scope, _options.MemoryTools)] };
    }

    /// <inheritdoc />
    protected override async ValueTask StoreAIContextAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(context);
        if (context.InvokeException is not null || AgentScopes.HistoryIsOurs(context.Agent, _memory.Memory))
        {
            return;
        }

        var scope = await AgentScopes.ResolveAsync(_memory, context.Agent, context.Session, _options, cancellationToken).ConfigureAwait(false);
        var messages = context.RequestMessages.Concat(context.ResponseMessages ?? []).Where(m => m.Role != ChatRole.System && m.Contents.Count > 0).ToList();
        await _memory.AppendAsync(scope, messages, cancellationToken).ConfigureAwait(false);
        await _memory.ReduceIfNeededAsync(scope, cancellationToken).ConfigureAwait(false);
    }
}
