namespace LongMemory.Kernel;

/// <summary>
/// A call reached <see cref="LongMemoryChatClient"/> without a user it could resolve, and anonymous sessions are not
/// allowed (<see cref="LongMemoryChatClientOptions.AllowAnonymousSessions"/>). Nothing was read or stored.
/// </summary>
public sealed class LongMemoryUserRequiredException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="LongMemoryUserRequiredException"/> class.</summary>
    public LongMemoryUserRequiredException()
        : base(
            "No user for this chat call: set ChatOptions.AdditionalProperties[\"" + LongMemoryChatClient.UserIdPropertyKey + "\"], " +
            "a UserResolver, an ILongMemoryUserAccessor in the container, or LongMemoryChatClientOptions.UserId " +
            "(or set AllowAnonymousSessions to allow anonymous sessions).")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LongMemoryUserRequiredException"/> class.</summary>
    /// <param name="message">The message.</param>
    public LongMemoryUserRequiredException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LongMemoryUserRequiredException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LongMemoryUserRequiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
