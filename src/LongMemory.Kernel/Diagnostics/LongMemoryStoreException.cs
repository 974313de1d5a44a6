namespace LongMemory.Kernel;

/// <summary>
/// A storage backend (SQLite, Qdrant, ...) failed or refused an operation. The message carries the backend's own text.
/// </summary>
/// <remarks><see cref="OperationCanceledException"/> is never wrapped in this type.</remarks>
public class LongMemoryStoreException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LongMemoryStoreException"/> class.</summary>
    public LongMemoryStoreException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LongMemoryStoreException"/> class.</summary>
    /// <param name="message">What failed, including the backend's own error text.</param>
    public LongMemoryStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LongMemoryStoreException"/> class.</summary>
    /// <param name="message">What failed, including the backend's own error text.</param>
    /// <param name="innerException">The transport or provider exception.</param>
    public LongMemoryStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
