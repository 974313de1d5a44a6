using LongMemory.Kernel;
using LongMemory.Kernel.PostgreSql;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL memory database and index.</summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PostgreSqlMemoryDatabase"/> and <see cref="PostgresMemoryIndex"/> as singletons, the index as
    /// the <see cref="IMemoryIndex"/> (replacing any registered before, such as the embedded SQLite default).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Sets the options. When it sets neither <see cref="PostgreSqlMemoryOptions.ConnectionString"/> nor
    /// <see cref="PostgreSqlMemoryOptions.DataSource"/>, the <see cref="NpgsqlDataSource"/> registered in the container is
    /// used (it must be built with <c>UseVector()</c>).
    /// </param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid (checked here when a connection string or data source is given).</exception>
    public static IServiceCollection AddPostgreSqlMemoryIndex(this IServiceCollection services, Action<PostgreSqlMemoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        AddPostgreSqlMemoryDatabase(services, configure);
        services.RemoveAll<IMemoryIndex>();
        services.AddSingleton<IMemoryIndex>(sp => sp.GetRequiredService<PostgresMemoryIndex>());
        return services;
    }

    /// <summary>Registers the PostgreSQL memory index for a connection string; see <see cref="AddPostgreSqlMemoryIndex(IServiceCollection, Action{PostgreSqlMemoryOptions})"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Sets further options (schema, pool).</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static IServiceCollection AddPostgreSqlMemoryIndex(this IServiceCollection services, string connectionString, Action<PostgreSqlMemoryOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddPostgreSqlMemoryIndex(options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Registers <see cref="PostgreSqlMemoryDatabase"/> and <see cref="PostgresMemoryIndex"/> (on it) as singletons, replacing
    /// earlier registrations; with neither a connection string nor a data source set, the container's
    /// <see cref="NpgsqlDataSource"/> is used.
    /// </summary>
    internal static void AddPostgreSqlMemoryDatabase(IServiceCollection services, Action<PostgreSqlMemoryOptions> configure)
    {
        var options = new PostgreSqlMemoryOptions();
        configure(options);
        var fromContainer = options.DataSource is null && string.IsNullOrWhiteSpace(options.ConnectionString);
        if (!fromContainer)
        {
            options.Validate();
        }

        services.RemoveAll<PostgreSqlMemoryDatabase>();
        services.RemoveAll<PostgresMemoryIndex>();
        services.AddSingleton(sp =>
        {
            if (fromContainer)
            {
                options.DataSource = sp.GetService<NpgsqlDataSource>() ?? throw new InvalidOperationException(
                    $"Set {nameof(PostgreSqlMemoryOptions)}.{nameof(PostgreSqlMemoryOptions.ConnectionString)} or register an NpgsqlDataSource (built with UseVector()) in the container.");
            }

            return new PostgreSqlMemoryDatabase(options, sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton(sp => new PostgresMemoryIndex(sp.GetRequiredService<PostgreSqlMemoryDatabase>(), sp.GetService<ILoggerFactory>()));
    }
}
