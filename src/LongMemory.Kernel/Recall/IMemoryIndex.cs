namespace LongMemory.Kernel;

/// <summary>
/// A searchable index of memory items with keyword (BM25) and vector (cosine) search fused by reciprocal rank.
/// Implementations: the embedded SQLite index and the Qdrant index; both pass one conformance test suite.
/// </summary>
/// <remarks>
/// Every read takes the owner key; an implementation never returns an item of another owner. Writes are idempotent
/// by <see cref="MemoryItem.Id"/> (ids are unique per collection and owner). Backend failures surface as
/// <see cref="LongMemoryStoreException"/>.
/// </remarks>
public interface IMemoryIndex
{
    /// <summary>
    /// Records (on first use) or checks the embedding model the index holds vectors of.
    /// </summary>
    /// <param name="embeddingModelId">The embedding model id.</param>
    /// <param name="dimensions">The vector size.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    /// <exception cref="EmbeddingModelMismatchException">The index was built with another model or dimension.</exception>
    Task EnsureEmbeddingModelAsync(string embeddingModelId, int dimensions, CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces items (by collection, owner and id).</summary>
    /// <param name="items">The items.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    /// <exception cref="EmbeddingModelMismatchException">A vector's length differs from the recorded dimension.</exception>
    Task UpsertAsync(IReadOnlyList<MemoryItem> items, CancellationToken cancellationToken = default);

    /// <summary>Gets items of an owner by id.</summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="collection">The collection.</param>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The items found (ids of other owners are not found).</returns>
    Task<IReadOnlyList<MemoryItem>> GetAsync(string userId, string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Deletes items of an owner by id.</summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="collection">The collection.</param>
    /// <param name="ids">The ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of items deleted (may be approximate on distributed backends: at most the count asked).</returns>
    Task<int> DeleteAsync(string userId, string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Deletes every item matching a filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    Task DeleteAsync(MemoryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Counts items matching a filter.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The count.</returns>
    Task<long> CountAsync(MemoryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Pages through the items matching a filter in id order.</summary>
    /// <param name="filter">The filter.</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cursor">The cursor from the previous page, or <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The page.</returns>
    Task<MemoryScrollPage> ScrollAsync(MemoryFilter filter, int limit = 100, string? cursor = null, CancellationToken cancellationToken = default);

    /// <summary>Hybrid search: keyword and vector rankings within the filter, fused with reciprocal-rank fusion.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The hits, best first.</returns>
    Task<IReadOnlyList<MemoryHit>> SearchAsync(MemorySearchRequest request, CancellationToken cancellationToken = default);
}
