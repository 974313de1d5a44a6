using LongMemory.Kernel.Integration;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.AgentFramework;

/// <summary>
/// Durable, reduced chat history for Agent Framework agents, in place of <c>InMemoryChatHistoryProvider</c>: every turn
/// is recorded in the memory store, long sessions are reduced into hierarchical summaries (nothing is deleted; trimmed
/// messages stay restorable and knowledge is captured), and each run gets the summaries plus the live messages.
/// </summary>
/// <remarks>
/// <para>
/// Only the caller's messages and the agent's answers are stored: messages that came from chat history or from
/// context providers (<see cref="AgentRequestMessageSourceType"/>) are not. The session is kept in the
/// <see cref="AgentSession.StateBag"/>, so a serialized session resumes in a new agent.
/// </para>
/// <para>
/// Use it instead of the <c>LongMemoryChatClient</c> middleware under an agent; an agent whose chat client has the
/// middleware is refused, because the turn would be stored twice.
/// </para>
/// </remarks>
public sealed class LongMemoryChatHistoryProvider : ChatHistoryProvider
{
    private readonly MemoryAdapter _memory;
    private readonly LongMemoryAgentOptions _options;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryChatHistoryProvider"/> class.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The options; validated here.</param>
    public LongMemoryChatHistoryProvider(ChatMemory memory, LongMemoryAgentOptions? options = null)
        : base(provideOutputMessageFilter: null, storeInputRequestMessageFilter: ExternalOnly, storeInputResponseMessageFilter: null)
    {
        _memory = new MemoryAdapter(Throw.IfNull(memory));
        _options = (options ?? new LongMemoryAgentOptions()).Validate();
    }

    /// <summary>Gets the memory.</summary>
    public ChatMemory Memory => _memory.Memory;

    /// <summary>Gets the memory scope (user and session) of an agent session, creating its memory session on first use.</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="session">The agent session.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The scope, for use with <see cref="ChatMemory"/> (for example to list its knowledge).</returns>
    public Task<MemoryScope> GetScopeAsync(AIAgent agent, AgentSession session, CancellationToken cancellationToken = default)
        => AgentScopes.ResolveAsync(_memory, Throw.IfNull(agent), session, _options, cancellationToken);

    /// <inheritdoc />
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(context);
        var scope = await AgentScopes.ResolveAsync(_memory, context.Agent, context.Session, _options, cancellationToken).ConfigureAwait(false);
        await _memory.ReduceIfNeededAsync(scope, cancellationToken).ConfigureAwait(false);
        var summaries = await _memory.GetSummaryMessagesAsync(scope, cancellationToken).ConfigureAwait(false);
        var live = await _memory.GetLiveConversationAsync(scope, cancellationToken).ConfigureAwait(false);
        return [.. summaries, .. live];
    }

    /// <inheritdoc />
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(context);
        var scope = await AgentScopes.ResolveAsync(_memory, context.Agent, context.Session, _options, cancellationToken).ConfigureAwait(false);
        var messages = context.RequestMessages.Concat(context.ResponseMessages ?? []).Where(m => m.Role != ChatRole.System && m.Contents.Count > 0).ToList();
        await _memory.AppendAsync(scope, messages, cancellationToken).ConfigureAwait(false);
    }

    private static IEnumerable<ChatMessage> ExternalOnly(IEnumerable<ChatMessage> messages)
        => messages.Where(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External);
}
