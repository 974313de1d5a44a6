using LongMemory.Kernel;
using LongMemory.Kernel.Qdrant;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Switches a LongMemory registration's search index to Qdrant.</summary>
public static class LongMemoryBuilderQdrantExtensions
{
    /// <summary>
    /// Keeps the conversation log, model memory, knowledge and document index in Qdrant instead of the embedded SQLite
    /// index. Sessions, messages, summaries and knowledge rows stay in SQL.
    /// </summary>
    /// <param name="builder">The LongMemory builder.</param>
    /// <param name="endpoint">The Qdrant gRPC endpoint, for example <c>http://localhost:6334</c>.</param>
    /// <param name="apiKey">The API key, or <see langword="null"/> for an open server.</param>
    /// <param name="configure">Sets further options (collection prefix, vector size, batch size, retries).</param>
    /// <returns>The builder.</returns>
    public static LongMemoryBuilder UseQdrant(this LongMemoryBuilder builder, Uri endpoint, string? apiKey = null, Action<QdrantMemoryIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddQdrantMemoryIndex(endpoint, apiKey, configure);
        return builder.UseMemoryIndex(sp => sp.GetRequiredService<IMemoryIndex>());
    }

    /// <summary>Keeps the search index in Qdrant; see <see cref="UseQdrant(LongMemoryBuilder, Uri, string?, Action{QdrantMemoryIndexOptions}?)"/>.</summary>
    /// <param name="builder">The LongMemory builder.</param>
    /// <param name="endpoint">The Qdrant gRPC endpoint.</param>
    /// <param name="apiKey">The API key, or <see langword="null"/>.</param>
    /// <param name="configure">Sets further options.</param>
    /// <returns>The builder.</returns>
    public static LongMemoryBuilder UseQdrant(this LongMemoryBuilder builder, string endpoint, string? apiKey = null, Action<QdrantMemoryIndexOptions>? configure = null)
        => builder.UseQdrant(new Uri(endpoint ?? throw new ArgumentNullException(nameof(endpoint))), apiKey, configure);
}
