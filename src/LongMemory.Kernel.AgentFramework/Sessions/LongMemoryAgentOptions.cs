namespace LongMemory.Kernel.AgentFramework;

/// <summary>Options shared by <see cref="LongMemoryContextProvider"/> and <see cref="LongMemoryChatHistoryProvider"/>.</summary>
public sealed class LongMemoryAgentOptions
{
    /// <summary>The <c>AgentRunOptions.AdditionalProperties</c> key that names the user of one run: <c>longmemory.user_id</c>.</summary>
    public const string UserIdKey = "longmemory.user_id";

    /// <summary>
    /// Gets or sets the user the agent acts for when a run does not name one under <see cref="UserIdKey"/>.
    /// </summary>
    /// <value>Default <see langword="null"/>: such runs use anonymous sessions (confined to themselves).</value>
    /// <remarks>
    /// The user never comes from the serialized session: a session handed back by a client cannot claim another user.
    /// A session is created for the user of its first run; a later run by another user is refused.
    /// </remarks>
    public string? UserId { get; set; }

    /// <summary>Gets or sets the share of the memory's prompt budget the recalled context may use.</summary>
    /// <value>Default 0.4.</value>
    public double MaxContextShare { get; set; } = 0.4;

    /// <summary>
    /// Gets or sets which memory tools <see cref="LongMemoryContextProvider"/> offers each run, bound to the run's user and
    /// session: <see cref="MemoryToolSet.Compact"/> (Remember, Recall, Forget) for small windows.
    /// </summary>
    /// <value>Default <see cref="MemoryToolSet.Full"/>.</value>
    public MemoryToolSet MemoryTools { get; set; } = MemoryToolSet.Full;

    internal LongMemoryAgentOptions Validate()
    {
        if (UserId is not null && string.IsNullOrWhiteSpace(UserId))
        {
            throw new ArgumentException($"{nameof(LongMemoryAgentOptions)}.{nameof(UserId)} must not be empty or whitespace.", nameof(UserId));
        }

        if (MaxContextShare is not (> 0 and <= 1))
        {
            throw new ArgumentException($"{nameof(LongMemoryAgentOptions)}.{nameof(MaxContextShare)} must be in (0, 1] (it was {MaxContextShare}).", nameof(MaxContextShare));
        }

        if (!Enum.IsDefined(MemoryTools))
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryTools), MemoryTools, $"{nameof(LongMemoryAgentOptions)}.{nameof(MemoryTools)} must be MemoryToolSet.Full or MemoryToolSet.Compact.");
        }

        return new LongMemoryAgentOptions { UserId = UserId, MaxContextShare = MaxContextShare, MemoryTools = MemoryTools };
    }
}
