namespace LongMemory.Kernel.PostgreSql.WorkerHost;

/// <summary>
/// The knowledge side of the worker. PLACEHOLDER until the PostgreSQL knowledge, model memory and document stores are
/// merged (branch pgknowledge): a private in-memory SQLite database per process (the tests check only the session side).
/// </summary>
internal static class KnowledgeStores
{
    public static void Configure(ChatMemoryComponents components, PostgreSqlMemoryDatabase database)
    {
        _ = database;
        var placeholder = SqliteMemoryDatabase.CreateInMemory();
        components.Knowledge = new SqliteKnowledgeStore(placeholder, components.TimeProvider);
        components.ModelMemory = new SqliteModelMemoryStore(placeholder, components.TimeProvider);
        components.Documents = new SqliteDocumentStore(placeholder, components.TimeProvider);
    }
}
