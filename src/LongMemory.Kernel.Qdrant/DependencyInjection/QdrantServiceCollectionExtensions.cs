using LongMemory.Kernel;
using LongMemory.Kernel.Qdrant;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Qdrant memory index.</summary>
public static class QdrantServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="QdrantMemoryIndex"/> as the singleton <see cref="IMemoryIndex"/>, replacing any index
    /// registered before (the embedded SQLite default, for example).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; they are validated here, so a bad configuration fails at start-up.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <remarks>
    /// The index keeps one gRPC channel (HTTP/2, multiplexed) for its lifetime and closes it when the container is
    /// disposed. A <see cref="TimeProvider"/> in the container is used for retry delays and call timeouts.
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
    /// <param name="endpoint">The Qdrant gRPC endpoint, for example <c>http://localhost:6334</c>.</param>
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

        services.RemoveAll<QdrantMemoryIndex>();
        services.RemoveAll<IMemoryIndex>();
        services.AddSingleton(sp => new QdrantMemoryIndex(
            options,
            sp.GetService<ILogger<QdrantMemoryIndex>>(),
            sp.GetService<TimeProvider>()));
        services.AddSingleton<IMemoryIndex>(sp => sp.GetRequiredService<QdrantMemoryIndex>());
        return services;
    }
}
