namespace LongMemory.Kernel;

/// <summary>Which messages of a session to list. Messages always come in insertion (id) order.</summary>
public sealed class MessageQuery
{
    /// <summary>Gets or sets how many matching messages to skip.</summary>
    /// <value>Default 0.</value>
    public int Skip { get; init; }

    /// <summary>Gets or sets the maximum number to return.</summary>
    /// <value>Default <see cref="int.MaxValue"/>.</value>
    public int Take { get; init; } = int.MaxValue;

    /// <summary>Gets or sets a value indicating whether trimmed messages are included.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool IncludeTrimmed { get; init; } = true;

    /// <summary>Gets or sets an exclusive lower bound on the message id.</summary>
    public long? AfterId { get; init; }

    /// <summary>Gets or sets an exclusive upper bound on the message id.</summary>
    public long? BeforeId { get; init; }

    /// <summary>Gets or sets a value indicating whether to return the newest <see cref="Take"/> messages (still in ascending order).</summary>
    public bool Newest { get; init; }
}
