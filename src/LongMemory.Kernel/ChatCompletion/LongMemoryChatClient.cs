using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Middleware that gives any <see cref="IChatClient"/> long-term memory: it records each turn, reduces long sessions,
/// recalls the relevant past and sends the model a prompt assembled inside the token budget, then records the answer.
/// </summary>
/// <remarks>
/// Works whether the app sends the whole history each turn (as Semantic Kernel and MEAI apps do: messages already
/// stored are recognised and not stored twice) or only the new message. The session is <c>ChatOptions.ConversationId</c>
/// or <see cref="LongMemoryChatClientOptions.SessionId"/>; the user is <see cref="LongMemoryChatClientOptions.UserId"/>.
/// The response carries the turn's <see cref="ContextReport"/> under <see cref="ContextReport.AdditionalPropertiesKey"/>.
/// </remarks>
public sealed class LongMemoryChatClient : DelegatingChatClient
{
    private readonly ChatMemory _memory;
    private readonly LongMemoryChatClientOptions _options;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private string? _defaultSessionId;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryChatClient"/> class.</summary>
    /// <param name="innerClient">The model's client.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The options.</param>
    public LongMemoryChatClient(IChatClient innerClient, ChatMemory memory, LongMemoryChatClientOptions? options = null)
        : base(Throw.IfNull(innerClient))
    {
        _memory = Throw.IfNull(memory);
        _options = options ?? new LongMemoryChatClientOptions();
        if (_options.UserId is not null)
        {
            Throw.IfNullOrWhitespace(_options.UserId, nameof(options));
        }

        _defaultSessionId = _options.SessionId;
    }

    /// <summary>Gets the memory.</summary>
    public ChatMemory Memory => _memory;

    /// <summary>Gets the last turn's report.</summary>
    public ContextReport? LastReport { get; private set; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = await BeginTurnAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(turn.Context.Messages, turn.InnerOptions, cancellationToken).ConfigureAwait(false);
        await EndTurnAsync(turn, response, cancellationToken).ConfigureAwait(false);
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[ContextReport.AdditionalPropertiesKey] = turn.Context.Report;

        // ConversationId is deliberately left as the inner client set it: setting it would tell function-invoking
        // clients that the service keeps the history, and they would stop sending it.
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = await BeginTurnAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        var first = true;
        await foreach (var update in base.GetStreamingResponseAsync(turn.Context.Messages, turn.InnerOptions, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            if (first)
            {
                update.AdditionalProperties ??= [];
                update.AdditionalProperties[ContextReport.AdditionalPropertiesKey] = turn.Context.Report;
                first = false;
            }

            yield return update;
        }

        await EndTurnAsync(turn, updates.ToChatResponse(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Also answers <see cref="ChatMemory"/>, and <see cref="ChatClientMetadata"/> when the inner client has none
    /// (Semantic Kernel requires metadata of every chat client it wraps).
    /// </remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        Throw.IfNull(serviceType);
        if (serviceKey is null && serviceType == typeof(ChatMemory))
        {
            return _memory;
        }

        return base.GetService(serviceType, serviceKey)
               ?? (serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("longmemory") : null);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sessionLock.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task<Turn> BeginTurnAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        Throw.IfNull(messages);
        var incoming = messages.ToList();
        var system = incoming.Where(m => m.Role == ChatRole.System).ToList();
        var conversation = incoming.Where(m => m.Role != ChatRole.System).ToList();
        if (conversation.Count == 0)
        {
            throw new ArgumentException("The messages contain no user, assistant or tool message.", nameof(messages));
        }

        var scope = await ResolveScopeAsync(options, cancellationToken).ConfigureAwait(false);

        // Recognise what the store already has: the longest prefix of the incoming conversation that equals the
        // stored session's tail. What follows it is new. Sending only the new message gives a prefix of length 0.
        var storedTail = await _memory.Messages.GetMessagesAsync(scope.Owner, scope.SessionId!, new MessageQuery { Newest = true, Take = conversation.Count }, cancellationToken).ConfigureAwait(false);
        var known = KnownPrefixLength(conversation, storedTail);
        var fresh = conversation.Skip(known).ToList();
        IReadOnlyList<StoredMessage> stored = [];
        if (fresh.Count > 0)
        {
            stored = await _memory.AddMessagesAsync(scope, fresh, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A re-sent history with nothing new: answer again for its last message without storing it twice.
            fresh = [conversation[^1]];
            stored = storedTail.Count > 0 ? [storedTail[^1]] : [];
        }

        var context = await _memory.PrepareTurnAsync(scope, system, fresh, stored, cancellationToken).ConfigureAwait(false);
        LastReport = context.Report;
        _options.OnContextReport?.Invoke(context.Report);

        var innerOptions = options?.Clone();
        if (innerOptions is not null && !_options.ForwardConversationId)
        {
            innerOptions.ConversationId = null;
        }

        return new Turn(scope, context, innerOptions);
    }

    private async Task EndTurnAsync(Turn turn, ChatResponse response, CancellationToken cancellationToken)
    {
        var answer = response.Messages.Where(m => m.Contents.Count > 0).ToList();
        foreach (var message in answer)
        {
            message.MessageId ??= response.ResponseId;
        }

        if (answer.Count > 0)
        {
            await _memory.AddMessagesAsync(turn.Scope, answer, cancellationToken).ConfigureAwait(false);
        }

        if (_memory.TokenCounter is CalibratingTokenCounter calibrating && response.Usage?.InputTokenCount is > 0)
        {
            calibrating.Observe(turn.Context.Messages, response.Usage);
        }
    }

    private static int KnownPrefixLength(List<ChatMessage> conversation, IReadOnlyList<StoredMessage> storedTail)
    {
        var stored = storedTail.Select(StoredMessageMapper.Fingerprint).ToList();
        var incoming = conversation.Select(StoredMessageMapper.Fingerprint).ToList();
        for (var k = Math.Min(incoming.Count, stored.Count); k > 0; k--)
        {
            var match = true;
            for (var i = 0; i < k && match; i++)
            {
                match = string.Equals(incoming[i], stored[stored.Count - k + i], StringComparison.Ordinal);
            }

            if (match)
            {
                return k;
            }
        }

        return 0;
    }

    private async Task<MemoryScope> ResolveScopeAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        var sessionId = options?.ConversationId;
        if (sessionId is null)
        {
            await _sessionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _defaultSessionId ??= (await _memory.CreateSessionAsync(_options.UserId, cancellationToken: cancellationToken).ConfigureAwait(false)).Id;
                sessionId = _defaultSessionId;
            }
            finally
            {
                _sessionLock.Release();
            }
        }

        // Session ids are per owner: the same ConversationId under another user is that user's own session.
        await _memory.GetOrCreateSessionAsync(new MemoryScope(_options.UserId, sessionId), cancellationToken).ConfigureAwait(false);
        return new MemoryScope(_options.UserId, sessionId);
    }

    private sealed record Turn(MemoryScope Scope, AssembledContext Context, ChatOptions? InnerOptions);
}
