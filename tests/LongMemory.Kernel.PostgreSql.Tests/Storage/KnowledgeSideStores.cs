using LongMemory.Kernel.PostgreSql.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace LongMemory.Kernel.PostgreSql.Tests.Storage;

/// <summary>The knowledge, model memory and document stores on a fresh schema of their own, with a fake clock.</summary>
internal sealed class KnowledgeSideStores : IAsyncDisposable
{
    private KnowledgeSideStores(TestSchema schema, PostgreSqlMemoryDatabase database)
    {
        Schema = schema;
        Database = database;
        Knowledge = new PostgreSqlKnowledgeStore(database, Clock);
        ModelMemory = new PostgreSqlModelMemoryStore(database, Clock);
        Documents = new PostgreSqlDocumentStore(database, Clock);
    }

    public TestSchema Schema { get; }

    public PostgreSqlMemoryDatabase Database { get; }

    /// <summary>Gets the clock, starting at a whole millisecond (the stores keep milliseconds).</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public PostgreSqlKnowledgeStore Knowledge { get; }

    public PostgreSqlModelMemoryStore ModelMemory { get; }

    public PostgreSqlDocumentStore Documents { get; }

    public static async Task<KnowledgeSideStores> CreateAsync()
    {
        var schema = await TestSchema.CreateAsync();
        var database = new PostgreSqlMemoryDatabase(schema.Options());
        await database.MigrateAsync();
        return new KnowledgeSideStores(schema, database);
    }

    /// <summary>Runs a scalar query outside the stores (<c>{schema}</c> stands for the schema).</summary>
    public async Task<long> CountAsync(string sql, params object[] parameters) => Convert.ToInt64(await Schema.ScalarAsync(sql, parameters));

    /// <summary>Makes every insert into the outbox fail, to show a change and its outbox entry commit together.</summary>
    public async Task BreakOutboxAsync()
    {
        await Schema.ScalarAsync(
            """
            CREATE FUNCTION {schema}.refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox refused by the test'; END $$;
            CREATE TRIGGER refuse_outbox BEFORE INSERT ON {schema}.index_outbox FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_outbox();
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await Schema.DisposeAsync();
    }
}
