namespace LongMemory.Kernel.Testing;

/// <summary>
/// One backend's stores, fresh and empty, as the store conformance suites receive them. A backend whose one class
/// implements several interfaces (SQLite's session store implements sessions, messages, summaries and the outbox) sets the
/// same instance on several properties.
/// </summary>
public sealed class MemoryStoreSet : IAsyncDisposable
{
    /// <summary>Gets the session store.</summary>
    public required ISessionStore Sessions { get; init; }

    /// <summary>Gets the message store.</summary>
    public required IMessageStore Messages { get; init; }

    /// <summary>Gets the summary store.</summary>
    public required ISummaryStore Summaries { get; init; }

    /// <summary>Gets the indexing outbox.</summary>
    public required IIndexOutbox Outbox { get; init; }

    /// <summary>Gets the knowledge store.</summary>
    public required IKnowledgeStore Knowledge { get; init; }

    /// <summary>Gets the model memory store.</summary>
    public required IModelMemoryStore ModelMemory { get; init; }

    /// <summary>Gets the document store.</summary>
    public required IDocumentStore Documents { get; init; }

    /// <summary>Gets what releases the backend (a database file, a schema); optional.</summary>
    public Func<ValueTask>? Release { get; init; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Release?.Invoke() ?? ValueTask.CompletedTask;
}
