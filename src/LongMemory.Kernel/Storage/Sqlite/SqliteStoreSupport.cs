using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LongMemory.Kernel;

/// <summary>Plumbing shared by the SQLite stores: connections with error wrapping, timestamps, metadata JSON, text checks.</summary>
internal static class SqliteStoreSupport
{
    /// <summary>Ids per <c>IN (...)</c> list: far below SQLite's bound-parameter limit.</summary>
    public const int IdChunkSize = 500;

    /// <summary>Opens a connection, runs <paramref name="work"/> and wraps provider failures in <see cref="LongMemoryStoreException"/>.</summary>
    public static async Task<T> RunAsync<T>(
        this SqliteMemoryDatabase database, string operation, Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                return await work(connection).ConfigureAwait(false);
            }
        }
        catch (SqliteException ex)
        {
            throw new LongMemoryStoreException($"SQLite failed to {operation} in '{database.FilePath ?? "(in-memory database)"}': {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new LongMemoryStoreException($"Stored metadata could not be read while trying to {operation}: {ex.Message}", ex);
        }
    }

    /// <summary>Runs <paramref name="work"/> in a write (<c>BEGIN IMMEDIATE</c>) transaction, committed only if it returns.</summary>
    /// <remarks>
    /// Taking the write lock up front lets concurrent writers wait on the busy timeout instead of failing when a read
    /// transaction tries to upgrade to a write.
    /// </remarks>
    public static Task<T> RunInTransactionAsync<T>(
        this SqliteMemoryDatabase database, string operation, Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
        => database.RunAsync(
            operation,
            async connection =>
            {
                await database.EnsureWalWithinBoundAsync(connection, operation, cancellationToken).ConfigureAwait(false);
                T result;
                var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    result = await work(connection, transaction).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                // Committed: from here on nothing may fail the caller's write (a checkpoint problem is logged and shown in the status).
                await database.AfterCommitAsync(connection, cancellationToken).ConfigureAwait(false);
                return result;
            },
            cancellationToken);

    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? FromUnixMs(long? value) => value is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public static long NowMs(TimeProvider timeProvider) => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public static string? SerializeMetadata(IReadOnlyDictionary<string, string>? metadata, string paramName)
    {
        if (metadata is null)
        {
            return null;
        }

        var copy = new Dictionary<string, string>(metadata.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            EnsureStorableText(key, paramName);
            if (value is null)
            {
                throw new ArgumentException($"Metadata value for key '{key}' is null.", paramName);
            }

            EnsureStorableText(value, paramName);
            copy[key] = value;
        }

        return JsonSerializer.Serialize(copy, StorageJsonContext.Default.DictionaryStringString);
    }

    public static IReadOnlyDictionary<string, string>? DeserializeMetadata(string? json)
        => json is null ? null : JsonSerializer.Deserialize(json, StorageJsonContext.Default.DictionaryStringString);

    /// <summary>
    /// Rejects text that SQLite cannot store verbatim. SQLite keeps TEXT as UTF-8, and Microsoft.Data.Sqlite replaces an
    /// unpaired UTF-16 surrogate with U+FFFD on the way in, so such a string would silently come back different; it also
    /// binds a string longer than 512 UTF-8 bytes NUL-terminated, which cuts it at its first U+0000 (PostgreSQL cannot store
    /// U+0000 at all), so text with U+0000 is refused whatever its length.
    /// </summary>
    public static void EnsureStorableText(string? value, string paramName)
    {
        if (value is null)
        {
            return;
        }

        var nul = value.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The text has U+0000 at index {nul}; it cannot be stored without being altered."),
                paramName);
        }

        var position = FindLoneSurrogate(value);
        if (position >= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The text has an unpaired UTF-16 surrogate (U+{(int)value[position]:X4}) at index {position}; it cannot be stored without being altered."),
                paramName);
        }
    }

    /// <summary>
    /// Checks an id a row is found by: not blank, and bound exactly (<see cref="EnsureStorableText"/>), so that an id cut at
    /// a U+0000 or with a replaced surrogate never names another row.
    /// </summary>
    public static string EnsureId([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        Throw.IfNullOrWhitespace(value, paramName);
        EnsureStorableText(value, paramName!);
        return value;
    }

    public static IEnumerable<long[]> Chunk(IReadOnlyList<long> ids) => ids.Distinct().Chunk(IdChunkSize);

    private static int FindLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}
