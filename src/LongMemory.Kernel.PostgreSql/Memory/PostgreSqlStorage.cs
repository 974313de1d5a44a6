using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>Puts every store of a <see cref="ChatMemory"/> (and, unless another is chosen, its index) on one PostgreSQL database.</summary>
internal static class PostgreSqlStorage
{
    /// <summary>Sets the store properties of <paramref name="components"/> to stores on <paramref name="database"/>.</summary>
    /// <param name="components">The components, holding the clock and the logger factory already.</param>
    /// <param name="database">The database (pool and schema).</param>
    /// <param name="index">The index on the same database to use by default; one is created when <see langword="null"/>.</param>
    /// <returns>What must be disposed with the memory besides the database (nothing once every store is PostgreSQL).</returns>
    public static IDisposable? Configure(ChatMemoryComponents components, PostgreSqlMemoryDatabase database, PostgresMemoryIndex? index = null)
    {
        var time = components.TimeProvider ?? TimeProvider.System;
        var loggers = components.LoggerFactory;
        var sessions = new PostgreSqlSessionStore(database, time, loggers?.CreateLogger<PostgreSqlSessionStore>());
        components.Sessions = sessions;
        components.Messages = sessions;
        components.Summaries = sessions;
        components.Outbox = sessions;
        var placeholder = KnowledgeSidePlaceholder.Configure(components, time);
        components.Index ??= index ?? new PostgresMemoryIndex(database, loggers);
        return placeholder;
    }

    /// <summary>
    /// PLACEHOLDER SEAM until the PostgreSQL knowledge, model memory and document stores are merged (branch pgknowledge):
    /// they are kept in a private in-memory SQLite database that lives as long as the memory. Replaced by the real stores.
    /// </summary>
    private static class KnowledgeSidePlaceholder
    {
        public static IDisposable Configure(ChatMemoryComponents components, TimeProvider time)
        {
            var database = SqliteMemoryDatabase.CreateInMemory();
            components.Knowledge = new SqliteKnowledgeStore(database, time);
            components.ModelMemory = new SqliteModelMemoryStore(database, time);
            components.Documents = new SqliteDocumentStore(database, time);
            return database;
        }
    }
}
