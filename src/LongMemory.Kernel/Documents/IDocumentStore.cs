namespace LongMemory.Kernel;

/// <summary>
/// Durable storage of documents linked to sessions. Part of the storage SPI: every mutation writes its indexing outbox
/// entry (<see cref="IIndexOutbox"/>) in the same transaction, so the documents collection of the index can always be
/// rebuilt from the store.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Stores a document, replacing one with the same id in the session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="documentId">The app's document id.</param>
    /// <param name="title">The title.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored document.</returns>
    Task<StoredDocument> UpsertAsync(MemoryOwner owner, string sessionId, string documentId, string title, string text, CancellationToken cancellationToken = default);

    /// <summary>Gets a document of the owner's session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    Task<StoredDocument?> GetAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document of the owner's session.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="documentId">The document id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when a document was deleted.</returns>
    Task<bool> DeleteAsync(MemoryOwner owner, string sessionId, string documentId, CancellationToken cancellationToken = default);
}
