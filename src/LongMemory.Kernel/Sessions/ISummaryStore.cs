namespace LongMemory.Kernel;

/// <summary>Durable storage of a session's hierarchical summaries. Part of the storage SPI (see <see cref="ISessionStore"/>).</summary>
public interface ISummaryStore
{
    /// <summary>
    /// Stores a summary and, in the same transaction, marks the messages it covers trimmed and the summaries it rolls up
    /// superseded (with their parent set to the new summary). Either all of it happens or none.
    /// </summary>
    /// <remarks>
    /// Exclusive across writers without a lock: when any of <paramref name="trimmedMessageIds"/> is already trimmed, or any of
    /// <paramref name="coveredSummaryIds"/> already superseded (another instance or process reduced first), nothing is stored
    /// and <see langword="null"/> is returned so the caller plans again from the current state.
    /// </remarks>
    /// <param name="owner">The owner.</param>
    /// <param name="summary">The summary (its id is assigned; <see cref="ConversationSummary.SessionId"/> names the session).</param>
    /// <param name="trimmedMessageIds">Messages to mark trimmed.</param>
    /// <param name="coveredSummaryIds">Summaries rolled up into this one.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored summary, or <see langword="null"/> when the plan was stale.</returns>
    Task<ConversationSummary?> AddSummaryAsync(MemoryOwner owner, ConversationSummary summary, IReadOnlyList<long> trimmedMessageIds, IReadOnlyList<long> coveredSummaryIds, CancellationToken cancellationToken = default);

    /// <summary>Lists a session's summaries, oldest (by first covered message) first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="activeOnly">Whether only active (not superseded) summaries are returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summaries.</returns>
    Task<IReadOnlyList<ConversationSummary>> GetSummariesAsync(MemoryOwner owner, string sessionId, bool activeOnly = true, CancellationToken cancellationToken = default);

    /// <summary>Gets a summary of a session by id.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="summaryId">The summary id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summary or <see langword="null"/>.</returns>
    Task<ConversationSummary?> GetSummaryAsync(MemoryOwner owner, string sessionId, long summaryId, CancellationToken cancellationToken = default);
}
