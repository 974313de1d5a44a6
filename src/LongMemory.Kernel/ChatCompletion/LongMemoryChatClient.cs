using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Middleware that gives any <see cref="IChatClient"/> long-term memory: it records each turn, reduces long sessions,
/// recalls the relevant past and sends the model a prompt assembled inside the token budget, then records the answer.
/// </summary>
/// <remarks>
/// <para>
/// One instance serves every user: the scope is resolved per call and the client keeps no per-user or per-session
/// state. The session is <c>ChatOptions.ConversationId</c>, else <c>ChatOptions.AdditionalProperties[</c><see cref="SessionIdPropertyKey"/><c>]</c>,
/// else the session stamped on the newest message of the request that this client returned (the continuation of a
/// function-invocation loop), else <see cref="LongMemoryChatClientOptions.SessionId"/>; with none, a new session is
/// created (its id is in the report, <see cref="ContextReport.SessionId"/>). The user is, in this
/// order, <c>ChatOptions.AdditionalProperties[</c><see cref="UserIdPropertyKey"/><c>]</c>,
/// <see cref="LongMemoryChatClientOptions.UserResolver"/>, an <see cref="ILongMemoryUserAccessor"/> from the services,
/// <see cref="LongMemoryChatClientOptions.UserId"/>. A call without a user throws
/// <see cref="LongMemoryUserRequiredException"/> before touching any data, unless anonymous sessions are allowed.
/// </para>
/// <para>
/// Works whether the app sends the whole history each turn (as Semantic Kernel and MEAI apps do) or only the new
/// message: messages the session already holds are recognised by <see cref="ChatMessage.MessageId"/> (which the client
/// stamps on every message it returns) or by content, so a re-sent history, a regenerate or a retry is stored once.
/// The turns of one session run one at a time in this process.
/// </para>
/// <para>
/// The response carries the turn's <see cref="ContextReport"/> under <see cref="ContextReport.AdditionalPropertiesKey"/>.
/// Every message (and function call) it returns is stamped with its session under <see cref="SessionIdPropertyKey"/>, and
/// a session named by <c>ChatOptions.ConversationId</c> is echoed in <c>ChatResponse.ConversationId</c>: a
/// function-invocation loop (MEAI, Semantic Kernel, Agent Framework) then keeps every round trip of one request in
/// that session, whichever side of this client it runs on. A streamed answer is stored even when the
/// consumer stops reading, the stream fails or the caller cancels; an answer cut short is marked
/// <see cref="TurnMetadata.Incomplete"/> and left out of later prompts.
/// </para>
/// </remarks>
public sealed partial class LongMemoryChatClient : DelegatingChatClient
{
    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key of the user id of a call (a string).</summary>
    public const string UserIdPropertyKey = "longmemory.user_id";

    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key of the session id of a call (a string), used when <c>ChatOptions.ConversationId</c> is not set.</summary>
    public const string SessionIdPropertyKey = "longmemory.session_id";

    private readonly ChatMemoryTurnAdapter _memory;
    private readonly LongMemoryChatClientOptions _options;
    private readonly IServiceProvider _services;
    private readonly TurnLocks _locks = new();

    /// <summary>Initializes a new instance of the <see cref="LongMemoryChatClient"/> class.</summary>
    /// <param name="innerClient">The model's client.</param>
    /// <param name="memory">The memory.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="services">The app's services, passed to the user resolver and searched for an <see cref="ILongMemoryUserAccessor"/>.</param>
    public LongMemoryChatClient(IChatClient innerClient, ChatMemory memory, LongMemoryChatClientOptions? options = null, IServiceProvider? services = null)
        : base(Throw.IfNull(innerClient))
    {
        _memory = new ChatMemoryTurnAdapter(Throw.IfNull(memory));
        _options = options ?? new LongMemoryChatClientOptions();
        _options.Validate();
        _services = services ?? EmptyServices.Instance;
    }

    /// <summary>Gets the memory.</summary>
    public ChatMemory Memory => _memory.Memory;

    /// <summary>Gets the client below the middleware (summaries and fact extraction go there, never through the memory).</summary>
    internal IChatClient Inner => InnerClient;

    /// <summary>Gets the number of sessions with a turn running or waiting in this process (for diagnostics and tests).</summary>
    internal int SessionsInFlight => _locks.Count;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var turn = await BeginTurnAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(turn.Context.Messages, turn.InnerOptions, cancellationToken).ConfigureAwait(false);
        StampMessageIds(response.Messages, response.ResponseId);
        foreach (var message in response.Messages)
        {
            StampSession(message, turn.Scope.SessionId!);
        }

        // The model has answered: the answer is stored even if the caller cancels now.
        await EndTurnAsync(turn, response.Messages, response.Usage, incomplete: false).ConfigureAwait(false);
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[ContextReport.AdditionalPropertiesKey] = turn.Context.Report;
        response.ConversationId = turn.EchoConversationId;
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = await BeginTurnAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var updates = new List<ChatResponseUpdate>();
        var complete = false;
        var messageId = NewMessageId();
        try
        {
            var enumerator = base.GetStreamingResponseAsync(turn.Context.Messages, turn.InnerOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    var update = enumerator.Current;
                    update.MessageId ??= messageId;
                    update.ConversationId = turn.EchoConversationId;
                    foreach (var call in update.Contents.OfType<FunctionCallContent>())
                    {
                        (call.AdditionalProperties ??= [])[SessionIdPropertyKey] = turn.Scope.SessionId;
                    }
                    if (updates.Count == 0)
                    {
                        update.AdditionalProperties ??= [];
                        update.AdditionalProperties[ContextReport.AdditionalPropertiesKey] = turn.Context.Report;
                    }

                    updates.Add(update);
                    yield return update;
                }

                complete = true;
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Runs when the stream ends, fails, is cancelled or the consumer stops reading (disposes the enumerator).
            try
            {
                var response = updates.ToChatResponse();
                await EndTurnAsync(turn, response.Messages, response.Usage, incomplete: !complete).ConfigureAwait(false);
            }
            catch (Exception ex) when (!complete)
            {
                // The stream's own failure is the one the caller sees.
                Log.PersistFailed(_memory.Logger, turn.Scope.SessionId ?? "-", ex);
            }
            finally
            {
                turn.Dispose();
            }
        }
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
            return _memory.Memory;
        }

        return base.GetService(serviceType, serviceKey)
               ?? (serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("longmemory") : null);
    }

    private static string NewMessageId() => "lm-" + Guid.NewGuid().ToString("N");

    /// <summary>Marks a returned message, and its function calls (which streaming keeps as they are), with its session.</summary>
    private static void StampSession(ChatMessage message, string sessionId)
    {
        (message.AdditionalProperties ??= [])[SessionIdPropertyKey] = sessionId;
        foreach (var call in message.Contents.OfType<FunctionCallContent>())
        {
            (call.AdditionalProperties ??= [])[SessionIdPropertyKey] = sessionId;
        }
    }

    /// <summary>The session this client stamped on the newest stamped message of a request, if any.</summary>
    private static string? StampedSession(List<ChatMessage> conversation)
    {
        for (var i = conversation.Count - 1; i >= 0; i--)
        {
            var message = conversation[i];
            if (message.AdditionalProperties?.TryGetValue(SessionIdPropertyKey, out var id) == true && id is string fromMessage)
            {
                return fromMessage;
            }

            foreach (var content in message.Contents)
            {
                if (content.AdditionalProperties?.TryGetValue(SessionIdPropertyKey, out var contentId) == true && contentId is string fromContent)
                {
                    return fromContent;
                }
            }
        }

        return null;
    }

    private static void StampMessageIds(IList<ChatMessage> messages, string? responseId)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            messages[i].MessageId ??= responseId is null ? NewMessageId()
                : messages.Count == 1 ? responseId
                : responseId + "-" + i.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static bool HasContent(ChatMessage message)
        => !string.IsNullOrWhiteSpace(message.Text) || message.Contents.Any(c => c is not TextContent and not UsageContent);

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

        // Who and where, per call; no data is touched before the user is known.
        var userId = ResolveUserId(options);
        var sessionId = ResolveSessionId(options, conversation)
            ?? await _memory.CreateSessionAsync(userId, cancellationToken).ConfigureAwait(false);
        var scope = new MemoryScope(userId, sessionId);
        options = MemoryTools.Offer(options, _memory.Memory, scope, _options.MemoryTools);
        var held = await _locks.AcquireAsync((userId is null ? "anonymous" : "user:" + userId) + "\u001f" + sessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            await _memory.EnsureSessionAsync(scope, cancellationToken).ConfigureAwait(false);
            // Room for the stored turns an app's history may lack (see HistoryMatcher.MaxSkipped).
            var take = conversation.Count + (conversation.Count / 8) + HistoryMatcher.MaxSkipped + 8;
            var storedNewest = await _memory.GetNewestMessagesAsync(scope, take, cancellationToken).ConfigureAwait(false);
            var match = HistoryMatcher.Recognise(conversation, storedNewest, olderExist: storedNewest.Count == take);
            var fresh = conversation.Skip(match.KnownCount).ToList();
            IReadOnlyList<StoredMessage> stored;
            if (fresh.Count > 0)
            {
                var parent = storedNewest.Count > 0 ? storedNewest[^1].Id : (long?)null;
                var turnMessages = fresh.Select((m, i) => new TurnMessage(m, HistoryMatcher.IdempotencyKey(scope, m, parent, match.KnownCount + i))).ToList();
                stored = await _memory.AppendAsync(scope, turnMessages, storedNewest, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Nothing new (a regenerate or a retry): answer the last message again without storing it twice. What the
                // session holds after it (the earlier answer) stays out of this prompt.
                fresh = [conversation[^1]];
                var lastKnown = match.Matched[^1];
                stored = storedNewest.Where(m => m.Id >= lastKnown.Id).ToList();
            }

            var context = await _memory.PrepareTurnAsync(scope, system, fresh, stored, options, cancellationToken).ConfigureAwait(false);
            _options.OnContextReport?.Invoke(context.Report);
            // Only a session the caller named as a conversation id is echoed: returning one the caller did not ask for would
            // switch function-invocation clients to service-managed history (Semantic Kernel's then fails).
            return new Turn(scope, context, InnerOptions(options), held, options?.ConversationId is null ? null : sessionId) { StoredAtStart = storedNewest };
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private async Task EndTurnAsync(Turn turn, IList<ChatMessage> responseMessages, UsageDetails? usage, bool incomplete)
    {
        var answer = responseMessages.Where(HasContent).ToList();
        if (answer.Count > 0)
        {
            using var timeout = new CancellationTokenSource(_options.PersistTimeout);
            var turnMessages = answer.Select(m => new TurnMessage(m, HistoryMatcher.IdempotencyKey(turn.Scope, m, null, 0), incomplete)).ToList();
            // Under the turn lock the only messages stored since the turn began are its own, which carry other keys.
            await _memory.AppendAsync(turn.Scope, turnMessages, turn.StoredAtStart, timeout.Token).ConfigureAwait(false);
        }

        if (!incomplete)
        {
            _memory.ObserveUsage(turn.Context.Messages, usage);
        }
    }

    private string? ResolveUserId(ChatOptions? options)
    {
        var perCall = PropertyText(options, UserIdPropertyKey);
        var resolved = _options.UserResolver?.Invoke(options, _services)
                       ?? _services.GetService<ILongMemoryUserAccessor>()?.GetUserId(options);
        if (perCall is not null && resolved is not null && !string.Equals(perCall, resolved, StringComparison.Ordinal))
        {
            throw new LongMemoryUserRequiredException(
                $"The call names a user in ChatOptions.AdditionalProperties[\"{UserIdPropertyKey}\"] that differs from the one the app's user resolver returns; refusing the call.");
        }

        var userId = perCall ?? resolved ?? _options.UserId;
        if (userId is null)
        {
            return _options.AllowAnonymousSessions ? null : throw new LongMemoryUserRequiredException();
        }

        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new LongMemoryUserRequiredException("The resolved user id is empty or white space.");
        }

        return userId;
    }

    private string? ResolveSessionId(ChatOptions? options, List<ChatMessage> conversation)
    {
        var sessionId = options?.ConversationId ?? PropertyText(options, SessionIdPropertyKey) ?? StampedSession(conversation) ?? _options.SessionId;
        if (sessionId is not null && string.IsNullOrWhiteSpace(sessionId))
        {
            throw new ArgumentException("The session id (ChatOptions.ConversationId) is empty or white space.", nameof(options));
        }

        return sessionId;
    }

    private static string? PropertyText(ChatOptions? options, string key)
        => options?.AdditionalProperties is { } properties && properties.TryGetValue(key, out var value) && value is not null
            ? value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;

    private ChatOptions? InnerOptions(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var inner = options.Clone();
        if (!_options.ForwardConversationId)
        {
            inner.ConversationId = null;
        }

        // Our own keys are not the model's business (some clients send additional properties to the service).
        if (options.AdditionalProperties is { } properties && (properties.ContainsKey(UserIdPropertyKey) || properties.ContainsKey(SessionIdPropertyKey)))
        {
            var copy = new AdditionalPropertiesDictionary(properties);
            copy.Remove(UserIdPropertyKey);
            copy.Remove(SessionIdPropertyKey);
            inner.AdditionalProperties = copy.Count == 0 ? null : copy;
        }

        return inner;
    }

    private sealed class Turn(MemoryScope scope, AssembledContext context, ChatOptions? innerOptions, IDisposable held, string? echoConversationId) : IDisposable
    {
        public string? EchoConversationId { get; } = echoConversationId;

        public IReadOnlyList<StoredMessage> StoredAtStart { get; init; } = [];

        public MemoryScope Scope { get; } = scope;

        public AssembledContext Context { get; } = context;

        public ChatOptions? InnerOptions { get; } = innerOptions;

        public void Dispose() => held.Dispose();
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    private static partial class Log
    {
        [LoggerMessage(60, LogLevel.Warning, "Session {SessionId}: the answer of a stream that did not complete could not be stored.")]
        public static partial void PersistFailed(ILogger logger, string sessionId, Exception exception);
    }
}
