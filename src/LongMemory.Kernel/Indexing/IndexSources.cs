namespace LongMemory.Kernel;

/// <summary>The outbox and the stores the indexer reads current source rows from.</summary>
internal sealed record IndexSources(
    IIndexOutbox Outbox,
    IMessageStore Messages,
    ISummaryStore Summaries,
    IKnowledgeStore Knowledge,
    IModelMemoryStore ModelMemory,
    IDocumentStore? Documents);
