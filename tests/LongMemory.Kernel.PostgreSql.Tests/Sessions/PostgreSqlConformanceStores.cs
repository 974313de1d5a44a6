using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

/// <summary>Fresh PostgreSQL stores for one conformance test: a schema of its own, dropped when the set is released.</summary>
internal static class PostgreSqlConformanceStores
{
    public static async Task<MemoryStoreSet> CreateAsync(TimeProvider clock)
    {
        var schema = await TestSchema.CreateAsync();
        var database = new PostgreSqlMemoryDatabase(schema.Options());
        var sessions = new PostgreSqlSessionStore(database, clock);

        // Placeholder until the PostgreSQL knowledge, model memory and document stores land (branch pgknowledge): the
        // session-side suites never touch these.
        var placeholder = SqliteMemoryDatabase.CreateInMemory();
        return new MemoryStoreSet
        {
            Sessions = sessions,
            Messages = sessions,
            Summaries = sessions,
            Outbox = sessions,
            Knowledge = new SqliteKnowledgeStore(placeholder, clock),
            ModelMemory = new SqliteModelMemoryStore(placeholder, clock),
            Documents = new SqliteDocumentStore(placeholder, clock),
            Release = async () =>
            {
                placeholder.Dispose();
                await database.DisposeAsync();
                await schema.DisposeAsync();
            },
        };
    }
}
