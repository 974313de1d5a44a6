namespace LongMemory.Kernel;

/// <summary>
/// A session id that does not exist for the caller was used. Another owner's session is reported exactly like a missing one,
/// so its existence is not disclosed; catch this (a <see cref="KeyNotFoundException"/>) to answer "not found", and
/// <see cref="LongMemoryStoreException"/> for store faults.
/// </summary>
public sealed class SessionNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="SessionNotFoundException"/> class.</summary>
    /// <param name="sessionId">The unknown session id.</param>
    public SessionNotFoundException(string sessionId)
        : base($"Session '{sessionId}' was not found.")
    {
        SessionId = sessionId;
    }

    /// <summary>Gets the session id that was not found.</summary>
    public string SessionId { get; }
}
