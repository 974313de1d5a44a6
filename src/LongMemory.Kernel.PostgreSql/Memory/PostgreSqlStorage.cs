using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>Puts every store of a <see cref="ChatMemory"/> (and, unless another is chosen, its index) on one PostgreSQL database.</summary>
internal static class PostgreSqlStorage
{
    /// <summary>Sets the store properties of <paramref name="components"/> to stores on <paramref name="database"/>.</summary>
    /// <param name="components">The components, holding the clock and the logger factory already.</param>
    /// <param name="database">The database (pool and schema).</param>
    /// <param name="index">The index on the same database to use by default; one is created when <see langword="null"/>.</param>
    /// <returns>What must be disposed with the memory besides the database (nothing: every store is on the database).</returns>
    /// <remarks>
    /// Forgetting a user runs as one transaction over every table (<see cref="PostgreSqlOwnerPurge"/>), the index's too when
    /// it is the <see cref="PostgresMemoryIndex"/> of this schema.
    /// </remarks>
    public static IDisposable? Configure(ChatMemoryComponents components, PostgreSqlMemoryDatabase database, PostgresMemoryIndex? index = null)
    {
        var time = components.TimeProvider ?? TimeProvider.System;
        var loggers = components.LoggerFactory;
        var sessions = new PostgreSqlSessionStore(database, time, loggers?.CreateLogger<PostgreSqlSessionStore>());
        components.Sessions = sessions;
        components.Messages = sessions;
        components.Summaries = sessions;
        components.Outbox = sessions;
        components.Knowledge = new PostgreSqlKnowledgeStore(database, time, loggers?.CreateLogger<PostgreSqlKnowledgeStore>());
        components.ModelMemory = new PostgreSqlModelMemoryStore(database, time, loggers?.CreateLogger<PostgreSqlModelMemoryStore>());
        components.Documents = new PostgreSqlDocumentStore(database, time);
        components.OwnerPurge = new PostgreSqlOwnerPurge(database, loggers?.CreateLogger<PostgreSqlOwnerPurge>());
        components.Index ??= index ?? new PostgresMemoryIndex(database, loggers);
        return null;
    }
}
