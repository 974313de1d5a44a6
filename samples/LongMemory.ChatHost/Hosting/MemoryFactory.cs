using LongMemory.Kernel;
using LongMemory.Kernel.PostgreSql;
using LongMemory.Kernel.Qdrant;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Hosting;

/// <summary>Builds the <see cref="ChatMemory"/> the host and the demo use: a SQLite file (or PostgreSQL) and a token budget.</summary>
internal static class MemoryFactory
{
    /// <summary>Builds a memory over a SQLite file.</summary>
    /// <param name="databasePath">The database file; its folder is created when missing.</param>
    /// <param name="maxContextTokens">The model's context window.</param>
    /// <param name="reservedOutputTokens">The tokens kept free for the answer.</param>
    /// <param name="embedder">An embedding generator; the offline hashing embedder when <see langword="null"/>.</param>
    /// <param name="summarizerClient">A model to summarize with (falls back to the extractive summarizer); extractive only when <see langword="null"/>.</param>
    /// <param name="qdrant">A Qdrant endpoint for the search index; the embedded SQLite index when <see langword="null"/>.</param>
    /// <param name="qdrantApiKey">The Qdrant API key, if the server needs one.</param>
    /// <param name="postgres">An Npgsql connection string: the whole memory lives in PostgreSQL instead of <paramref name="databasePath"/>.</param>
    /// <returns>The memory.</returns>
    public static ChatMemory Create(
        string databasePath,
        int maxContextTokens,
        int reservedOutputTokens,
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        IChatClient? summarizerClient = null,
        Uri? qdrant = null,
        string? qdrantApiKey = null,
        string? postgres = null)
    {
        var builder = new ChatMemoryBuilder();
        if (postgres is not null)
        {
            builder.UsePostgreSql(postgres);
        }
        else
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            builder.UseSqlite(databasePath);
        }

        builder.Configure(o =>
            {
                o.Context.MaxContextTokens = maxContextTokens;
                o.Context.ReservedOutputTokens = reservedOutputTokens;
            });
        if (embedder is not null)
        {
            builder.UseEmbeddingGenerator(embedder);
        }

        if (summarizerClient is not null)
        {
            builder.UseSummarizerChatClient(summarizerClient);
        }

        if (qdrant is not null)
        {
            builder.UseMemoryIndex(() => new QdrantMemoryIndex(new QdrantMemoryIndexOptions { Endpoint = qdrant, ApiKey = qdrantApiKey }));
        }

        return builder.Build();
    }

    /// <summary>Describes a PostgreSQL connection for the console: host, port and database, never the password.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>For example <c>PostgreSQL localhost:5432/app</c>.</returns>
    public static string DescribePostgres(string connectionString)
    {
        var parts = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {parts.Host}:{parts.Port}/{parts.Database}";
    }

    /// <summary>Gets the answer reserve for a context window: a quarter, between 256 and 2048 tokens.</summary>
    /// <param name="maxContextTokens">The context window.</param>
    /// <returns>The reserve.</returns>
    public static int ReserveFor(int maxContextTokens) => Math.Clamp(maxContextTokens / 4, 256, 2048);
}
