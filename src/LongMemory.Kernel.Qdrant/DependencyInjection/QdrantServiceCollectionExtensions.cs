using LongMemory.Kernel;
using LongMemory.Kernel.Qdrant;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Qdrant memory index.</summary>
public static class QdrantServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the index gets from <see cref="IHttpClientFactory"/>.</summary>
    public const string HttpClientName = "LongMemory.Kernel.Qdrant";

    /// <summary>
    /// Registers <see cref="QdrantMemoryIndex"/> as the singleton <see cref="IMemoryIndex"/>, replacing any index
    /// registered before (the embedded SQLite default, for example).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; they are validated here, so a bad configuration fails at start-up.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <remarks>
    /// The index keeps one <see cref="HttpClient"/> for its lifetime; its handler recycles pooled connections every two
    /// minutes so DNS changes of a Qdrant cluster are picked up. A <see cref="TimeProvider"/> in the container is used
    /// for retry delays.
    /// </remarks>
    public static IServiceCollection AddQdrantMemoryIndex(this IServiceCollection services, Action<QdrantMemoryIndexOptions> configure)
    {
        return AddCore(services, configure);
    }

    /// <summary>
    /// Registers <see cref="QdrantMemoryIndex"/> for a Qdrant endpoint as the singleton <see cref="IMemoryIndex"/>,
    /// replacing any index registered before.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="endpoint">The Qdrant REST endpoint, for example <c>http://localhost:6333</c>.</param>
    /// <param name="apiKey">The API key, or <see langword="null"/> for an open server.</param>
    /// <param name="configure">Sets further options.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static IServiceCollection AddQdrantMemoryIndex(this IServiceCollection services, Uri endpoint, string? apiKey = null, Action<QdrantMemoryIndexOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return AddCore(services, options =>
        {
            options.Endpoint = endpoint;
            options.ApiKey = apiKey;
            configure?.Invoke(options);
        });
    }

    private static IServiceCollection AddCore(IServiceCollection services, Action<QdrantMemoryIndexOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        var options = new QdrantMemoryIndexOptions();
        configure(options);
        options.Validate();

        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        services.RemoveAll<QdrantMemoryIndex>();
        services.RemoveAll<IMemoryIndex>();
        services.AddSingleton(sp => new QdrantMemoryIndex(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            options,
            sp.GetService<ILogger<QdrantMemoryIndex>>(),
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IMemoryIndex>(sp => sp.GetRequiredService<QdrantMemoryIndex>());
        return services;
    }
}
