using System.Text.RegularExpressions;
using Npgsql;
using Pgvector.Npgsql;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>Where and how LongMemory keeps its data in PostgreSQL.</summary>
/// <remarks>
/// Give either <see cref="ConnectionString"/> (the library builds and owns an <see cref="NpgsqlDataSource"/> with
/// pgvector's type mapping) or <see cref="DataSource"/> (yours, built with <c>UseVector()</c> from
/// <c>Pgvector.Npgsql</c>; the library never disposes it). The pool settings apply only to a data source the library
/// builds. Every table lives in <see cref="Schema"/>, so several applications (or test runs) can share one database.
/// </remarks>
public sealed class PostgreSqlMemoryOptions
{
    /// <summary>The default schema name.</summary>
    public const string DefaultSchema = "longmemory";

    /// <summary>The longest schema name PostgreSQL keeps (NAMEDATALEN - 1 bytes).</summary>
    public const int MaxSchemaLength = 63;

    private static readonly Regex SchemaPattern = new("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Gets or sets the Npgsql connection string, for example <c>Host=db;Database=app;Username=app;Password=...</c>.</summary>
    /// <value>Default <see langword="null"/>; required unless <see cref="DataSource"/> is set.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets a data source to use instead of <see cref="ConnectionString"/>. It must be built with
    /// <c>NpgsqlDataSourceBuilder.UseVector()</c>; its owner disposes it.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets the schema holding every table (created by the first migration): lower-case letters, digits and
    /// underscores, not starting with a digit or <c>pg_</c>, at most <see cref="MaxSchemaLength"/> characters.
    /// </summary>
    /// <value>Default <see cref="DefaultSchema"/>.</value>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Gets or sets whether missing migrations are applied at start-up (under an advisory lock, so concurrent instances migrate once).</summary>
    /// <value>Default <see langword="true"/>. Turn off when a deployment step runs <see cref="PostgreSqlMemoryDatabase.MigrateAsync"/> itself.</value>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>Gets or sets the most pooled connections (Npgsql's <c>Maximum Pool Size</c>) of a data source built from <see cref="ConnectionString"/>.</summary>
    /// <value>Default <see langword="null"/>: the connection string's value, else Npgsql's default (100).</value>
    public int? MaxPoolSize { get; set; }

    /// <summary>Gets or sets the fewest pooled connections kept open (Npgsql's <c>Minimum Pool Size</c>).</summary>
    /// <value>Default <see langword="null"/>: the connection string's value, else 0.</value>
    public int? MinPoolSize { get; set; }

    /// <summary>
    /// Gets or sets how long opening a connection may wait, including the wait for a free pooled connection when the
    /// pool is exhausted (Npgsql's <c>Timeout</c>, whole seconds); then the call fails with a
    /// <see cref="LongMemoryStoreException"/> instead of waiting on.
    /// </summary>
    /// <value>Default <see langword="null"/>: the connection string's value, else Npgsql's default (15 s).</value>
    public TimeSpan? ConnectionTimeout { get; set; }

    /// <summary>Gets or sets how long one statement may run (Npgsql's <c>Command Timeout</c>, whole seconds).</summary>
    /// <value>Default <see langword="null"/>: the connection string's value, else Npgsql's default (30 s).</value>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>Checks the options; called when a store is created, so a bad configuration fails at start-up.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public void Validate()
    {
        if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                $"{nameof(PostgreSqlMemoryOptions)}.{nameof(ConnectionString)} or .{nameof(DataSource)} must be set.", nameof(ConnectionString));
        }

        if (DataSource is not null && !string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                $"Set only one of {nameof(PostgreSqlMemoryOptions)}.{nameof(ConnectionString)} and .{nameof(DataSource)}.", nameof(ConnectionString));
        }

        if (DataSource is null)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{nameof(PostgreSqlMemoryOptions)}.{nameof(ConnectionString)} is not a valid Npgsql connection string: {ex.Message}", nameof(ConnectionString), ex);
            }
        }

        ValidateSchema(Schema);
        if (MaxPoolSize is < 1)
        {
            throw new ArgumentException($"{nameof(PostgreSqlMemoryOptions)}.{nameof(MaxPoolSize)} must be at least 1 (was {MaxPoolSize}).", nameof(MaxPoolSize));
        }

        if (MinPoolSize is < 0)
        {
            throw new ArgumentException($"{nameof(PostgreSqlMemoryOptions)}.{nameof(MinPoolSize)} must not be negative (was {MinPoolSize}).", nameof(MinPoolSize));
        }

        if (MinPoolSize is { } min && MaxPoolSize is { } max && min > max)
        {
            throw new ArgumentException($"{nameof(PostgreSqlMemoryOptions)}.{nameof(MinPoolSize)} ({min}) must not exceed {nameof(MaxPoolSize)} ({max}).", nameof(MinPoolSize));
        }

        ValidateSeconds(ConnectionTimeout, nameof(ConnectionTimeout));
        ValidateSeconds(CommandTimeout, nameof(CommandTimeout));
        if (DataSource is not null && (MaxPoolSize is not null || MinPoolSize is not null || ConnectionTimeout is not null || CommandTimeout is not null))
        {
            throw new ArgumentException(
                $"The pool settings of {nameof(PostgreSqlMemoryOptions)} apply only with {nameof(ConnectionString)}; configure them on your {nameof(DataSource)} instead.",
                nameof(DataSource));
        }
    }

    /// <summary>Builds the data source of <see cref="ConnectionString"/> with the pool settings and pgvector's type mapping.</summary>
    /// <returns>A new data source (the caller owns it).</returns>
    internal NpgsqlDataSource BuildDataSource()
    {
        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        if (MaxPoolSize is { } max)
        {
            connection.MaxPoolSize = max;
        }

        if (MinPoolSize is { } min)
        {
            connection.MinPoolSize = min;
        }

        if (ConnectionTimeout is { } timeout)
        {
            connection.Timeout = (int)Math.Ceiling(timeout.TotalSeconds);
        }

        if (CommandTimeout is { } command)
        {
            connection.CommandTimeout = (int)Math.Ceiling(command.TotalSeconds);
        }

        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
        builder.UseVector();
        return builder.Build();
    }

    private static void ValidateSchema(string? schema)
    {
        var name = $"{nameof(PostgreSqlMemoryOptions)}.{nameof(Schema)}";
        if (string.IsNullOrEmpty(schema) || schema.Length > MaxSchemaLength || !SchemaPattern.IsMatch(schema)
            || schema.StartsWith("pg_", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"{name} '{schema}' is not a valid schema name: use 1 to {MaxSchemaLength} lower-case letters, digits and underscores, not starting with a digit or 'pg_'.",
                nameof(Schema));
        }
    }

    private static void ValidateSeconds(TimeSpan? value, string setting)
    {
        if (value is { } span && (span < TimeSpan.FromSeconds(1) || span > TimeSpan.FromSeconds(int.MaxValue)))
        {
            throw new ArgumentException($"{nameof(PostgreSqlMemoryOptions)}.{setting} must be at least one second (was {span}).", setting);
        }
    }
}
