namespace LongMemory.Kernel;

/// <summary>The owner already has a session with this id (active or soft-deleted). Another owner's sessions never conflict.</summary>
public sealed class SessionAlreadyExistsException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="SessionAlreadyExistsException"/> class.</summary>
    /// <param name="sessionId">The session id.</param>
    public SessionAlreadyExistsException(string sessionId)
        : base($"A session with id '{sessionId}' already exists for this owner (it may be soft-deleted); use another id or the existing session.")
    {
        SessionId = sessionId;
    }

    /// <summary>Gets the session id.</summary>
    public string SessionId { get; }
}
