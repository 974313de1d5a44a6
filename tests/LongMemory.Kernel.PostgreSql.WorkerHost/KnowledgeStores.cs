namespace LongMemory.Kernel.PostgreSql.WorkerHost;

/// <summary>The knowledge side of the worker: the PostgreSQL knowledge, model memory and document stores on the same database.</summary>
internal static class KnowledgeStores
{
    public static void Configure(ChatMemoryComponents components, PostgreSqlMemoryDatabase database)
    {
        components.Knowledge = new PostgreSqlKnowledgeStore(database, components.TimeProvider);
        components.ModelMemory = new PostgreSqlModelMemoryStore(database, components.TimeProvider);
        components.Documents = new PostgreSqlDocumentStore(database, components.TimeProvider);
        components.OwnerPurge = new PostgreSqlOwnerPurge(database);
    }
}
