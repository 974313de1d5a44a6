namespace LongMemory.Kernel;

/// <summary>Checks that a scope names a session its user owns, before any read or write of that session.</summary>
internal static class SessionScopes
{
    public static async Task<string> RequireOwnedSessionAsync(ISessionStore store, MemoryScope scope, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        if (scope.SessionId is null)
        {
            throw new ArgumentException("The scope must name a session.", nameof(scope));
        }

        var session = await store.GetSessionAsync(scope.SessionId, includeDeleted: false, cancellationToken).ConfigureAwait(false);

        // Another user's session is reported exactly like a missing one, so ids of other users cannot be probed.
        if (session is null || !string.Equals(session.UserId, scope.UserId, StringComparison.Ordinal))
        {
            throw new SessionNotFoundException(scope.SessionId);
        }

        return scope.SessionId;
    }
}
