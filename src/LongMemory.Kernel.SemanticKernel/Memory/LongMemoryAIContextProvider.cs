using LongMemory.Kernel.Integration;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// Long-term memory for Semantic Kernel agents through SK's <see cref="AIContextProvider"/> (experimental, SKEXP0130):
/// records every message added to the agent's thread, and before each model call supplies the recalled knowledge, saved
/// notes and relevant past conversation (fenced as data) and the memory functions.
/// </summary>
/// <remarks>
/// The thread keeps the recent turns itself, so only recalled memory is supplied, within
/// <see cref="MaxContextShare"/> of the memory's prompt budget. The text is the core's context assembly, fencing included.
/// The session is the scope's session, or the agent thread's id when the scope names only a user.
/// </remarks>
public sealed class LongMemoryAIContextProvider : AIContextProvider
{
    private static readonly string[] RecallLabels = [MemoryAdapter.KnowledgeLabel, MemoryAdapter.PastConversationLabel, MemoryAdapter.ModelMemoryLabel, MemoryAdapter.DocumentsLabel];

    private readonly MemoryAdapter _memory;
    private readonly MemoryScope _scope;
    private string? _threadId;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryAIContextProvider"/> class.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user (and optionally the session) the agent acts for.</param>
    public LongMemoryAIContextProvider(ChatMemory memory, MemoryScope scope)
    {
        _memory = new MemoryAdapter(Throw.IfNull(memory));
        _scope = Throw.IfNull(scope);
    }

    /// <summary>Gets or sets the share of the memory's prompt budget the recalled context may use.</summary>
    /// <value>Default 0.4.</value>
    public double MaxContextShare
    {
        get;
        set => field = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxContextShare), value, $"{nameof(MaxContextShare)} must be in (0, 1].");
    } = 0.4;

    /// <summary>
    /// Gets or sets which memory functions the provider supplies before each model call:
    /// <see cref="MemoryToolSet.Compact"/> (Remember, Recall, Forget) for small windows.
    /// </summary>
    /// <value>Default <see cref="MemoryToolSet.Full"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="MemoryToolSet"/>.</exception>
    public MemoryToolSet MemoryTools
    {
        get;
        set => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(MemoryTools), value, $"{nameof(MemoryTools)} must be MemoryToolSet.Full or MemoryToolSet.Compact.");
    } = MemoryToolSet.Full;

    /// <inheritdoc />
    public override Task ConversationCreatedAsync(string? conversationId, CancellationToken cancellationToken = default)
    {
        _threadId ??= conversationId;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task MessageAddingAsync(string? conversationId, ChatMessage newMessage, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(newMessage);
        if (newMessage.Role == ChatRole.System)
        {
            return;
        }

        var scope = await ScopeAsync(conversationId, cancellationToken).ConfigureAwait(false);
        await _memory.AppendAsync(scope, [newMessage], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<AIContext> ModelInvokingAsync(ICollection<ChatMessage> newMessages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(newMessages);
        var scope = await ScopeAsync(_threadId, cancellationToken).ConfigureAwait(false);
        var context = new AIContext();
        foreach (var tool in _memory.CreateTools(scope, MemoryTools))
        {
            context.AIFunctions.Add(tool);
        }

        var query = newMessages.Where(m => m.Role == ChatRole.User).ToList();
        if (query.Count > 0)
        {
            var assembled = await _memory.AssembleAsync(scope, query, cancellationToken).ConfigureAwait(false);
            context.Instructions = _memory.RecalledInstructions(assembled, RecallLabels, (int)(_memory.PromptBudget * MaxContextShare));
        }

        return context;
    }

    private Task<MemoryScope> ScopeAsync(string? conversationId, CancellationToken cancellationToken)
    {
        _threadId ??= conversationId;
        var sessionId = _scope.SessionId ?? _threadId
            ?? throw new InvalidOperationException("The memory scope names no session and the agent thread has no id yet; pass a scope with a session.");
        return _memory.EnsureSessionAsync(new MemoryScope(_scope.UserId, sessionId), cancellationToken);
    }
}
