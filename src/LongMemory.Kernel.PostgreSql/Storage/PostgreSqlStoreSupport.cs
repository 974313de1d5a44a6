using System.Globalization;
using System.Text.Json;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>Plumbing shared by the PostgreSQL stores: timestamps, metadata JSON, text checks.</summary>
internal static class PostgreSqlStoreSupport
{
    /// <summary>Truncates to whole milliseconds in UTC, the precision every LongMemory store keeps (as SQLite does).</summary>
    public static DateTimeOffset ToDb(DateTimeOffset value)
        => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    /// <summary>Gets the clock's time in the stored precision.</summary>
    public static DateTimeOffset Now(TimeProvider timeProvider) => ToDb(timeProvider.GetUtcNow());

    /// <summary>Reads a <c>timestamptz</c> that Npgsql returned as a UTC <see cref="DateTime"/>.</summary>
    public static DateTimeOffset FromDb(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>Reads a nullable <c>timestamptz</c>.</summary>
    public static DateTimeOffset? FromDb(DateTime? value) => value is { } v ? FromDb(v) : null;

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

        return JsonSerializer.Serialize(copy, PostgreSqlJsonContext.Default.DictionaryStringString);
    }

    public static IReadOnlyDictionary<string, string>? DeserializeMetadata(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, PostgreSqlJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException ex)
        {
            throw new LongMemoryStoreException($"Stored metadata could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Rejects what the SQLite stores reject, so an app sees the same behaviour on both backends: text with U+0000 (which
    /// PostgreSQL cannot store and SQLite would cut) and text with an unpaired UTF-16 surrogate (which UTF-8 cannot encode).
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

            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The text has an unpaired UTF-16 surrogate (U+{(int)c:X4}) at index {i}; it cannot be stored without being altered."),
                paramName);
        }
    }
}
