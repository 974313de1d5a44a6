using LongMemory.Kernel;
using LongMemory.Kernel.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Switches a LongMemory registration's search index to PostgreSQL.</summary>
public static class LongMemoryBuilderPostgreSqlExtensions
{
    /// <summary>
    /// Keeps the conversation log, model memory, knowledge and document index in PostgreSQL (full-text search and
    /// pgvector) instead of the embedded SQLite index.
    /// </summary>
    /// <param name="builder">The LongMemory builder.</param>
    /// <param name="connectionString">
    /// The Npgsql connection string, or <see langword="null"/> to use the <c>NpgsqlDataSource</c> registered in the
    /// container (built with <c>UseVector()</c>).
    /// </param>
    /// <param name="configure">Sets further options (schema, pool, migrations).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static LongMemoryBuilder UsePostgreSqlIndex(this LongMemoryBuilder builder, string? connectionString = null, Action<PostgreSqlMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPostgreSqlMemoryIndex(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
        return builder.UseMemoryIndex(sp => sp.GetRequiredService<IMemoryIndex>());
    }

    /// <summary>
    /// Keeps the whole memory in PostgreSQL: sessions, messages, summaries, the indexing outbox, knowledge, model memory and
    /// documents, and the search index (<see cref="PostgresMemoryIndex"/>) in the same schema unless another index is chosen
    /// (<c>UseQdrant</c>, <see cref="LongMemoryBuilder.UseMemoryIndex(Func{IServiceProvider, IMemoryIndex})"/>, or an
    /// <see cref="IMemoryIndex"/> registered in the container). Several app instances can share the database.
    /// </summary>
    /// <param name="builder">The LongMemory builder.</param>
    /// <param name="connectionString">
    /// The Npgsql connection string, or <see langword="null"/> to use <see cref="PostgreSqlMemoryOptions.DataSource"/> when
    /// <paramref name="configure"/> sets it, else the <c>NpgsqlDataSource</c> registered in the container (built with
    /// <c>UseVector()</c>; the container owns it).
    /// </param>
    /// <param name="configure">Sets further options (schema, pool, migrations).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is invalid (checked here when a connection string or data source is given).</exception>
    /// <remarks>
    /// Registers <see cref="PostgreSqlMemoryDatabase"/> and <see cref="PostgresMemoryIndex"/> as singletons (the container
    /// disposes them). The schema is migrated on first use under an advisory lock, so instances starting together migrate once.
    /// </remarks>
    public static LongMemoryBuilder UsePostgreSql(this LongMemoryBuilder builder, string? connectionString = null, Action<PostgreSqlMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        PostgreSqlServiceCollectionExtensions.AddPostgreSqlMemoryDatabase(builder.Services, options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
        return builder.UseStorage((sp, components) => PostgreSqlStorage.Configure(
            components, sp.GetRequiredService<PostgreSqlMemoryDatabase>(), sp.GetRequiredService<PostgresMemoryIndex>()));
    }
}
