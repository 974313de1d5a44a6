namespace LongMemory.Kernel;

/// <summary>Durable storage of curated model memory (the source of truth; the index holds a searchable copy).</summary>
public interface IModelMemoryStore
{
    /// <summary>Adds an entry.</summary>
    /// <param name="entry">The entry (id and timestamps assigned by the store).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored entry.</returns>
    Task<ModelMemoryEntry> AddAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Updates the content, category and importance of an entry of the owner.</summary>
    /// <param name="entry">The entry with its id and owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when the entry existed and was updated.</returns>
    Task<bool> UpdateAsync(ModelMemoryEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Gets an entry of the owner by id (not deleted).</summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entry or <see langword="null"/>.</returns>
    Task<ModelMemoryEntry?> GetAsync(string userId, long id, CancellationToken cancellationToken = default);

    /// <summary>Lists the owner's entries that are not deleted, newest first.</summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="skip">How many to skip.</param>
    /// <param name="take">How many at most.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<ModelMemoryEntry>> ListAsync(string userId, int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes an entry of the owner.</summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="id">The id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when an entry was deleted.</returns>
    Task<bool> DeleteAsync(string userId, long id, CancellationToken cancellationToken = default);
}
