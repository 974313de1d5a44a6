using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Every call <see cref="LongMemoryChatClient"/> makes into the memory, in one place: session administration through
/// <see cref="ChatMemory"/>'s public API, and the turn's writes, reduction and assembly through the engine's parts.
/// </summary>
internal sealed class ChatMemoryTurnAdapter
{
    private readonly MemoryEngine _engine;

    public ChatMemoryTurnAdapter(ChatMemory memory)
    {
        Memory = memory;
        _engine = memory.Engine;
    }

    public ChatMemory Memory { get; }

    public ITokenCounter TokenCounter => _engine.TokenCounter;

    public ContextOptions ContextOptions => _engine.ContextOptions;

    public Microsoft.Extensions.Logging.ILogger Logger => _engine.Logger;

    /// <summary>Makes sure the scope's session exists (creating it when the owner has none with that id) and is active.</summary>
    public Task EnsureSessionAsync(MemoryScope scope, CancellationToken cancellationToken)
        => Memory.GetOrCreateSessionAsync(scope, cancellationToken);

    /// <summary>Creates a new session for the user (or an anonymous one) and returns its id.</summary>
    public async Task<string> CreateSessionAsync(string? userId, CancellationToken cancellationToken)
        => (await Memory.CreateSessionAsync(userId, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;

    /// <summary>Gets the newest messages of the session, oldest first (trimmed ones included).</summary>
    public Task<IReadOnlyList<StoredMessage>> GetNewestMessagesAsync(MemoryScope scope, int take, CancellationToken cancellationToken)
        => _engine.Messages.GetMessagesAsync(scope.Owner, scope.SessionId!, new MessageQuery { Newest = true, Take = take }, cancellationToken);

    /// <summary>Stores messages with their metadata (idempotency key, incomplete flag), indexes them and captures knowledge.</summary>
    public Task<IReadOnlyList<StoredMessage>> AppendAsync(MemoryScope scope, IReadOnlyList<TurnMessage> messages, IReadOnlyList<StoredMessage>? recent, CancellationToken cancellationToken)
        => _engine.Writer.AppendTurnMessagesAsync(scope, messages, recent, cancellationToken);

    /// <summary>Reduces when triggered, then assembles the prompt with the request's extra mandatory tokens.</summary>
    public async Task<AssembledContext> PrepareTurnAsync(
        MemoryScope scope, IReadOnlyList<ChatMessage> systemMessages, IReadOnlyList<ChatMessage> newMessages, IReadOnlyList<StoredMessage> storedNew, ChatOptions? options, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var reduction = await _engine.Reducer.ReduceIfNeededAsync(scope, cancellationToken).ConfigureAwait(false);
        var reduceMs = watch.Elapsed.TotalMilliseconds;
        var session = await _engine.Sessions.RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        var request = new ContextRequest(options?.Instructions, options?.Tools);
        return await _engine.Assembler.AssembleAsync(
            session, scope, systemMessages, newMessages, storedNew.Select(m => m.Id).ToHashSet(), reduction.SummariesCreated > 0 ? reduceMs : 0, reduction.SummariesCreated > 0, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets a calibrating counter learn from the provider's reported input tokens.</summary>
    public void ObserveUsage(IReadOnlyList<ChatMessage> prompt, UsageDetails? usage)
    {
        if (_engine.TokenCounter is CalibratingTokenCounter calibrating && usage?.InputTokenCount is > 0)
        {
            calibrating.Observe(prompt, usage);
        }
    }
}
