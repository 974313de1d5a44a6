namespace LongMemory.Kernel;

/// <summary>The one check every session-scoped operation starts with.</summary>
internal static class SessionRequirements
{
    /// <summary>Checks that the scope names a session that exists, is active and belongs to the scope's owner.</summary>
    /// <exception cref="ArgumentException">The scope names no session.</exception>
    /// <exception cref="SessionNotFoundException">The owner has no active session with that id.</exception>
    public static async Task<ChatSession> RequireSessionAsync(this ISessionStore sessions, MemoryScope scope, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        if (scope.SessionId is null)
        {
            throw new ArgumentException("This operation needs a scope with a session id.", nameof(scope));
        }

        // Owner-scoped: another owner's session with the same id is simply not found (its existence is not disclosed).
        var session = await sessions.GetSessionAsync(scope.Owner, scope.SessionId, includeDeleted: false, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            throw new SessionNotFoundException(scope.SessionId);
        }

        return session;
    }
}
