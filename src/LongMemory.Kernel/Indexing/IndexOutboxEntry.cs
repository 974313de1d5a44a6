namespace LongMemory.Kernel;

/// <summary>One unit of indexing work, claimed from an <see cref="IIndexOutbox"/>.</summary>
/// <param name="Id">The entry id (assigned by the outbox, increasing in write order).</param>
/// <param name="Owner">The owner of the source row.</param>
/// <param name="SessionId">The session the row belongs to or was written from, if any.</param>
/// <param name="Kind">The kind of source row.</param>
/// <param name="SourceId">The source row's id within its kind (see <see cref="IndexItemKind"/>).</param>
/// <param name="Operation">What the writer did.</param>
/// <param name="Attempts">The failed attempts so far.</param>
public sealed record IndexOutboxEntry(long Id, MemoryOwner Owner, string? SessionId, IndexItemKind Kind, string SourceId, IndexOperation Operation, int Attempts);
