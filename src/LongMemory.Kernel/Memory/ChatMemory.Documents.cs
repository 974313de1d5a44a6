using System.Globalization;

namespace LongMemory.Kernel;

public sealed partial class ChatMemory
{
    /// <summary>
    /// Imports a document linked to the scope's session: it is chunked at sentence boundaries, embedded and written to
    /// the documents collection, and recalled into the document block of that session's prompts. Importing the same
    /// document id again replaces it.
    /// </summary>
    /// <param name="scope">The session's scope.</param>
    /// <param name="documentId">The app's id of the document.</param>
    /// <param name="title">The title.</param>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of chunks indexed.</returns>
    internal async Task<int> ImportDocumentAsync(MemoryScope scope, string documentId, string title, string text, CancellationToken cancellationToken = default)
    {
        Throw.IfNullOrWhitespace(documentId);
        Throw.IfNullOrWhitespace(title);
        Throw.IfNullOrWhitespace(text);
        var session = await RequireSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);

        await DeleteDocumentItemsAsync(scope, session.Id, documentId, cancellationToken).ConfigureAwait(false);
        var chunks = _indexer.Chunker.Chunk(text);
        var vectors = await _indexer.EmbedManyAsync(chunks.Select(c => c.Text).ToList(), cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var items = chunks.Select((chunk, i) => new MemoryItem
        {
            Id = "doc:" + documentId + ":" + chunk.Index.ToString(CultureInfo.InvariantCulture),
            Collection = MemoryCollections.Documents,
            UserId = scope.Owner.Key,
            SessionId = session.Id,
            Type = "document",
            Text = chunk.Text,
            Vector = vectors[i],
            CreatedAt = now,
            Payload = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["document_id"] = documentId,
                ["title"] = title,
                ["chunk_index"] = chunk.Index.ToString(CultureInfo.InvariantCulture),
                ["chunk_count"] = chunks.Count.ToString(CultureInfo.InvariantCulture),
            },
        }).ToList();
        await Index.UpsertAsync(items, cancellationToken).ConfigureAwait(false);
        MarkPresent(scope.Owner.Key, MemoryCollections.Documents);
        return items.Count;
    }

    private async Task DeleteDocumentItemsAsync(MemoryScope scope, string sessionId, string documentId, CancellationToken cancellationToken)
    {
        var filter = new MemoryFilter(scope.Owner.Key) { SessionId = sessionId, Collections = [MemoryCollections.Documents] };
        var stale = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Index.ScrollAsync(filter, 256, cursor, cancellationToken).ConfigureAwait(false);
            stale.AddRange(page.Items.Where(i => i.Payload.TryGetValue("document_id", out var d) && d == documentId).Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        if (stale.Count > 0)
        {
            await Index.DeleteAsync(scope.Owner.Key, MemoryCollections.Documents, stale, cancellationToken).ConfigureAwait(false);
        }
    }
}
