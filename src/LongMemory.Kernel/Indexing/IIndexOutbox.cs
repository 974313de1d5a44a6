namespace LongMemory.Kernel;

/// <summary>
/// The indexing outbox: one entry per change of an indexable row (message, summary, knowledge, model memory, document),
/// written by the store in the SAME transaction as the change, so a crash never loses indexing work and never leaves a
/// stale item behind. Part of the storage SPI (see <see cref="ISessionStore"/>).
/// </summary>
/// <remarks>
/// <para>
/// States: <c>pending</c> (new, or claimed and in flight), <c>failed</c> (last attempt failed; due again at its retry
/// time) and <c>dead</c> (failed the maximum number of times; kept for an operator, never claimed). A completed entry is
/// removed. Each entry is claimed with a lease: until the lease expires no other indexer (thread, process or instance)
/// claims it, and an indexer that dies mid-batch only delays its entries by the lease.
/// </para>
/// <para>
/// SQLite claims inside one <c>BEGIN IMMEDIATE</c> transaction; PostgreSQL uses <c>SELECT ... FOR UPDATE SKIP LOCKED</c>
/// with the same lease column. Entries of the same source may repeat; the indexer loads the current source row, so
/// processing them in any order or more than once gives the same index.
/// </para>
/// </remarks>
public interface IIndexOutbox
{
    /// <summary>
    /// Claims up to <paramref name="maxCount"/> entries that are due: pending or failed with a retry time at or before
    /// <paramref name="now"/>, and not claimed by a lease that is still running. Sets their lease to <paramref name="now"/>
    /// plus <paramref name="lease"/>.
    /// </summary>
    /// <param name="maxCount">The maximum number of entries.</param>
    /// <param name="now">The current time.</param>
    /// <param name="lease">How long the claim keeps others away.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The claimed entries, oldest first.</returns>
    Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Removes entries whose work is done (unknown ids are ignored).</summary>
    /// <param name="entryIds">The entry ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task CompleteAsync(IReadOnlyList<long> entryIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a failed attempt: the attempt count goes up, the error is kept, the lease is released and the entry is due
    /// again at <paramref name="retryAt"/>; an entry reaching <paramref name="maxAttempts"/> becomes <c>dead</c>.
    /// </summary>
    /// <param name="entryIds">The entry ids.</param>
    /// <param name="error">The error text (no message content).</param>
    /// <param name="retryAt">When to retry.</param>
    /// <param name="maxAttempts">The attempts after which an entry is dead.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task FailAsync(IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken = default);

    /// <summary>Counts the outbox states of one owner's session, one owner, or the whole store.</summary>
    /// <param name="owner">The owner, or <see langword="null"/> for the whole store.</param>
    /// <param name="sessionId">A session of <paramref name="owner"/>, or <see langword="null"/> for all of the owner's entries.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts.</returns>
    Task<IndexStatus> GetIndexStatusAsync(MemoryOwner? owner = null, string? sessionId = null, CancellationToken cancellationToken = default);
}
