namespace LongMemory.Kernel;

/// <summary>Durable, versioned storage of knowledge entries.</summary>
public interface IKnowledgeStore
{
    /// <summary>
    /// Records a fact. When the owner already has a current entry for the key with the same value (case-insensitive),
    /// nothing changes and that entry is returned. With another value, a fact whose source is newer than the current
    /// entry's (<see cref="KnowledgeEntry.ValidFrom"/>, then <see cref="KnowledgeEntry.SourceMessageId"/>) closes the old
    /// entry (<c>valid_to</c>, <c>superseded_by</c>) and becomes current; an older fact is stored as history (closed, in
    /// its place in time) and the current entry stays current. A fact extracted from a message
    /// (<see cref="KnowledgeEntry.SourceMessageId"/> set) that is not newer than the latest forget of the key is dropped,
    /// so re-reading old messages never brings a forgotten fact back. All in one transaction.
    /// </summary>
    /// <param name="entry">The entry (id and created-at assigned by the store).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The current entry for the key.</returns>
    Task<KnowledgeEntry> UpsertAsync(KnowledgeEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Lists the owner's current entries, optionally for one key.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="key">A key, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entries, most recent first.</returns>
    Task<IReadOnlyList<KnowledgeEntry>> GetCurrentAsync(MemoryOwner owner, string? key = null, CancellationToken cancellationToken = default);

    /// <summary>Lists every entry the owner ever had for a key (current, superseded and forgotten markers), oldest first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The history.</returns>
    Task<IReadOnlyList<KnowledgeEntry>> GetHistoryAsync(MemoryOwner owner, string key, CancellationToken cancellationToken = default);

    /// <summary>Gets an entry of the owner by id.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="id">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry or <see langword="null"/>.</returns>
    Task<KnowledgeEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets an entry of the owner (current or history): its value is erased and the row stays as a marker that a fact
    /// was forgotten (<see cref="KnowledgeEntry.ForgottenAt"/>, closed when it was current). No older value becomes current.
    /// </summary>
    /// <param name="owner">The owner.</param>
    /// <param name="id">The entry id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry was forgotten (<see langword="false"/> when unknown or already forgotten).</returns>
    Task<bool> ForgetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes every entry of an owner learned in one of its sessions (used by a hard delete of the session).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number deleted.</returns>
    Task<int> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every entry of an owner (used when a user is forgotten).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number deleted.</returns>
    Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default);
}
