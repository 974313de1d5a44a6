namespace LongMemory.Kernel;

/// <summary>
/// The owner of a read or write: a user, a session, or a session of a user. Every memory operation takes one,
/// and the model never supplies it.
/// </summary>
/// <remarks>
/// A scope with a <see cref="UserId"/> can see all of that user's sessions (cross-session recall). A scope without a
/// user id is confined to its session: anonymous sessions never see each other.
/// </remarks>
public sealed record MemoryScope
{
    /// <summary>Initializes a new instance of the <see cref="MemoryScope"/> class.</summary>
    /// <param name="userId">The user, or <see langword="null"/> for an anonymous session.</param>
    /// <param name="sessionId">The session, or <see langword="null"/> for a user-wide scope.</param>
    /// <exception cref="ArgumentException">Both are null, or one is empty or whitespace.</exception>
    public MemoryScope(string? userId, string? sessionId)
    {
        if (userId is null && sessionId is null)
        {
            throw new ArgumentException("A memory scope needs a user id, a session id, or both.", nameof(userId));
        }

        if (userId is not null)
        {
            Throw.IfNullOrWhitespace(userId);
        }

        if (sessionId is not null)
        {
            Throw.IfNullOrWhitespace(sessionId);
        }

        UserId = userId;
        SessionId = sessionId;
    }

    /// <summary>Gets the user id, or <see langword="null"/> for an anonymous session.</summary>
    public string? UserId { get; }

    /// <summary>Gets the session id, or <see langword="null"/> for a user-wide scope.</summary>
    public string? SessionId { get; }

    /// <summary>Gets the owner: the user, or for a scope without a user the anonymous session.</summary>
    public MemoryOwner Owner => UserId is not null ? MemoryOwner.User(UserId) : MemoryOwner.AnonymousSession(SessionId!);

    /// <summary>Creates a scope for one session of one user.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope For(string userId, string sessionId) => new(userId, sessionId);

    /// <summary>Creates a user-wide scope (all of the user's sessions).</summary>
    /// <param name="userId">The user id.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope ForUser(string userId) => new(userId, null);

    /// <summary>Creates a scope for an anonymous session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The scope.</returns>
    public static MemoryScope ForSession(string sessionId) => new(null, sessionId);

    /// <inheritdoc />
    public override string ToString() => $"user={UserId ?? "(anonymous)"} session={SessionId ?? "(all)"}";
}
