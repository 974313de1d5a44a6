namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Imports a document linked to the scope's session: it is stored (the source of truth), then chunked at sentence
    /// boundaries, embedded and written to the documents collection through the indexing outbox, and recalled into the document block of that session's prompts. Importing the same
    /// document id again replaces it.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="documentId">The app's id of the document.</param>
    /// <param name="title">The title.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of chunks (indexed before the call returns in inline mode, soon after in background mode).</returns>
    internal async Task<int> ImportDocumentAsync(MemoryScope scope, string documentId, string title, string text, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhitespace(documentId);
        Throw.IfNullOrWhitespace(title);
        Throw.IfNullOrWhitespace(text);
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);

        var store = Documents ?? throw new InvalidOperationException("Documents cannot be imported: ChatMemoryComponents.Documents is not configured.");
        await store.UpsertAsync(scope.Owner, session.Id, documentId, title, text, cancellationToken).ConfigureAwait(false);
        await AfterWriteAsync(deletion: false, cancellationToken).ConfigureAwait(false);
        return _indexer.Chunker.Chunk(text).Count;
    }
}
