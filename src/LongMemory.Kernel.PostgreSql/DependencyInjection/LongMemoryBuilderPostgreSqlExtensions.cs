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
        return builder.UseMemoryIndex((sp, _) => sp.GetRequiredService<IMemoryIndex>());
    }
}
