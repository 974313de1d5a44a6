namespace LongMemory.Kernel.PostgreSql;

/// <summary>Keeps a <see cref="ChatMemory"/> built with <see cref="ChatMemoryBuilder"/> in PostgreSQL.</summary>
public static class ChatMemoryBuilderPostgreSqlExtensions
{
    /// <summary>
    /// Keeps the whole memory in PostgreSQL: sessions, messages, summaries, the indexing outbox, knowledge, model memory and
    /// documents, and the search index (<see cref="PostgresMemoryIndex"/>: full-text search and pgvector) in the same
    /// schema unless <see cref="ChatMemoryBuilder.UseMemoryIndex(Func{IMemoryIndex})"/> chooses another (Qdrant, say).
    /// Several app instances can share the database.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">
    /// The Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=...</c>; or
    /// <see langword="null"/> when <paramref name="configure"/> sets <see cref="PostgreSqlMemoryOptions.DataSource"/>.
    /// </param>
    /// <param name="configure">Sets further options (schema, pool, migrations, a data source of your own).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid (checked here, so a bad configuration fails at start-up).</exception>
    /// <remarks>
    /// The memory owns the connection pool it builds from the connection string and disposes it with itself; a
    /// <see cref="PostgreSqlMemoryOptions.DataSource"/> of yours stays yours. The schema is migrated on first use under an
    /// advisory lock (see <see cref="PostgreSqlMemoryDatabase"/>), and the pgvector extension must be available.
    /// </remarks>
    public static ChatMemoryBuilder UsePostgreSql(this ChatMemoryBuilder builder, string? connectionString, Action<PostgreSqlMemoryOptions>? configure = null)
    {
        Throw.IfNull(builder);
        var options = new PostgreSqlMemoryOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        options.Validate();
        return builder.UseStorage(components =>
        {
            var database = new PostgreSqlMemoryDatabase(options, components.LoggerFactory);
            try
            {
                var extra = PostgreSqlStorage.Configure(components, database);
                return new Resources(database, extra);
            }
            catch
            {
                database.Dispose();
                throw;
            }
        });
    }

    /// <summary>What a memory built on PostgreSQL disposes with itself.</summary>
    private sealed class Resources(PostgreSqlMemoryDatabase database, IDisposable? extra) : IDisposable
    {
        public void Dispose()
        {
            extra?.Dispose();
            database.Dispose();
        }
    }
}
