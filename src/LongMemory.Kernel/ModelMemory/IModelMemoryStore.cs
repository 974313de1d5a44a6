namespace LongMemory.Kernel;

/// <summary>Durable storage of curated model memory (the source of truth; the index holds a searchable copy).</summary>
public interface IModelMemoryStore
{
    /// <summary>Adds an entry.</summary>
    /// <param name="entry">The entry (id and timestamps assigned by the store).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored entry.</returns>
    Task<ModelMemoryEntry> AddAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Updates the content, category, importance and session of an entry of the owner.</summary>
    /// <param name="entry">The entry with its id and owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when the entry existed and was updated.</returns>
    Task<bool> UpdateAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Gets an entry of the owner by id (not deleted).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry or <see langword="null"/>.</returns>
    Task<ModelMemoryEntry?> GetAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default);

    /// <summary>Lists the owner's entries that are not deleted, newest first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many at most.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<ModelMemoryEntry>> ListAsync(MemoryOwner owner, int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>Forgets an entry of the owner: its content is erased and the row only records when it was forgotten.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry was deleted.</returns>
    Task<bool> DeleteAsync(MemoryOwner owner, long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes every entry of the owner saved (or last updated) in one session (used by a hard delete of the session).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The ids deleted.</returns>
    Task<IReadOnlyList<long>> DeleteBySessionAsync(MemoryOwner owner, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every entry of an owner, forgotten ones included (used when a user is forgotten).</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number deleted.</returns>
    Task<int> DeleteOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default);
}
