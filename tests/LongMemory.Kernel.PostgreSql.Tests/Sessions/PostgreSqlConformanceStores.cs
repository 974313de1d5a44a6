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

        return new MemoryStoreSet
        {
            Sessions = sessions,
            Messages = sessions,
            Summaries = sessions,
            Outbox = sessions,
            Knowledge = new PostgreSqlKnowledgeStore(database, clock),
            ModelMemory = new PostgreSqlModelMemoryStore(database, clock),
            Documents = new PostgreSqlDocumentStore(database, clock),
            Release = async () =>
            {
                await database.DisposeAsync();
                await schema.DisposeAsync();
            },
        };
    }
}
