namespace LongMemory.Kernel.Tests.Storage.Conformance;

/// <summary>The SQLite stores over a fresh database file (a <see cref="TempDatabase"/>, deleted when the set is released).</summary>
internal static class SqliteConformanceStores
{
    public static Task<MemoryStoreSet> CreateAsync(TimeProvider clock)
    {
        var temp = new TempDatabase();
        var sessions = new SqliteSessionStore(temp.Database, clock);
        return Task.FromResult(new MemoryStoreSet
        {
            Sessions = sessions,
            Messages = sessions,
            Summaries = sessions,
            Outbox = sessions,
            Knowledge = new SqliteKnowledgeStore(temp.Database, clock),
            ModelMemory = new SqliteModelMemoryStore(temp.Database, clock),
            Documents = new SqliteDocumentStore(temp.Database, clock),
            Release = () =>
            {
                temp.Dispose();
                return ValueTask.CompletedTask;
            },
        });
    }
}
