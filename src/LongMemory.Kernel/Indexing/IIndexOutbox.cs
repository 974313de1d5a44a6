namespace LongMemory.Kernel;

/// <summary>
/// The indexing outbox: work recorded in the same transaction as the rows it indexes, so a crash never loses indexing.
/// Part of the storage SPI (see <see cref="ISessionStore"/>).
/// </summary>
public interface IIndexOutbox
{
    /// <summary>Gets messages (of any owner) that are pending, or failed and due for a retry.</summary>
    /// <param name="maxCount">The maximum number.</param>
    /// <param name="now">The current time (failed messages are due when their retry time has passed).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The messages, oldest first.</returns>
    Task<IReadOnlyList<StoredMessage>> GetIndexBacklogAsync(int maxCount, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks messages indexed.</summary>
    /// <param name="messageIds">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task MarkIndexedAsync(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default);

    /// <summary>Records a failed indexing attempt; the messages stay stored and are retried after <paramref name="retryAt"/>.</summary>
    /// <param name="messageIds">The ids.</param>
    /// <param name="error">The error text.</param>
    /// <param name="retryAt">When to retry.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task MarkIndexFailedAsync(IReadOnlyList<long> messageIds, string error, DateTimeOffset retryAt, CancellationToken cancellationToken = default);

    /// <summary>Counts the outbox states of one owner's session, one owner, or the whole store.</summary>
    /// <param name="owner">The owner, or <see langword="null"/> for the whole store.</param>
    /// <param name="sessionId">A session of <paramref name="owner"/>, or <see langword="null"/> for all of its sessions.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts.</returns>
    Task<IndexStatus> GetIndexStatusAsync(MemoryOwner? owner = null, string? sessionId = null, CancellationToken cancellationToken = default);
}
