using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>Options of <see cref="LongMemoryChatClient"/>. The client reads them per call and keeps no per-user state.</summary>
public sealed class LongMemoryChatClientOptions
{
    /// <summary>
    /// Gets or sets the user of every call that names none, for single-user apps (a console chat, a desktop app). A
    /// multi-user app leaves it <see langword="null"/> and resolves the user per call (see <see cref="LongMemoryChatClient"/>).
    /// Set by the app, never by the model.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? UserId { get; set; }

    /// <summary>
    /// Gets or sets the user resolver: called per call with the call's options and the app's services, it returns the
    /// user id, or <see langword="null"/> when it does not know the user. Consulted after the per-call
    /// <see cref="LongMemoryChatClient.UserIdPropertyKey"/> and before an <see cref="ILongMemoryUserAccessor"/>.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public Func<ChatOptions?, IServiceProvider, string?>? UserResolver { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a call with no resolvable user may use an anonymous session (its own data
    /// only: no recall from other sessions, no knowledge shared with a user). When <see langword="false"/>, such a call
    /// throws <see cref="LongMemoryUserRequiredException"/> before it reads or writes anything.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AllowAnonymousSessions { get; set; }

    /// <summary>
    /// Gets or sets the session of every call that names none (neither <c>ChatOptions.ConversationId</c> nor
    /// <see cref="LongMemoryChatClient.SessionIdPropertyKey"/>). When <see langword="null"/>, such a call starts a new
    /// session, whose id the response carries in <c>ChatResponse.ConversationId</c>.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets a callback raised with each turn's <see cref="ContextReport"/> (the response also carries it).</summary>
    public Action<ContextReport>? OnContextReport { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c>ChatOptions.ConversationId</c> is passed on to the inner client.
    /// Leave it off unless the inner client keeps server-side state under the same id.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool ForwardConversationId { get; set; }

    /// <summary>
    /// Gets or sets how long storing a turn's answer may take once the model has produced it. The answer is stored with
    /// this internal timeout, never with the caller's token, so a caller that cancels or stops reading does not lose it.
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan PersistTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the memory tools the client adds to every call's <c>ChatOptions.Tools</c>, bound to the call's user
    /// and session; <see cref="MemoryToolSet.Compact"/> for small windows. They count into the budget like every tool.
    /// A function-invocation client below this one (<c>model.AsBuilder().UseFunctionInvocation()</c>, then
    /// <c>WithLongMemory</c>) runs them; one above it only runs the tools it was given, so there pass
    /// <see cref="ScopedMemory.CreateTools(MemoryToolSet)"/> in the call's options instead.
    /// </summary>
    /// <value>Default <see langword="null"/>: the client adds no tools.</value>
    public MemoryToolSet? MemoryTools { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (UserId is not null)
        {
            Throw.IfNullOrWhitespace(UserId, nameof(UserId));
        }

        if (SessionId is not null)
        {
            Throw.IfNullOrWhitespace(SessionId, nameof(SessionId));
        }

        if (MemoryTools is { } toolSet && !Enum.IsDefined(toolSet))
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryTools), toolSet, "MemoryTools must be MemoryToolSet.Full, MemoryToolSet.Compact or null.");
        }

        if (PersistTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("PersistTimeout must be positive.", nameof(PersistTimeout));
        }
    }
}
