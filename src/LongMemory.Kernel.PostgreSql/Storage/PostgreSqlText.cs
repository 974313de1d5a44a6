using System.Text;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>
/// Makes any .NET string storable in a PostgreSQL <c>text</c> column, which cannot hold U+0000: NUL is written as
/// U+E000 '0' and U+E000 itself as U+E000 'e' (U+E000 is a private-use character). The mapping is injective, so equality
/// lookups work on encoded values, and text without either character (nearly all text) is stored unchanged.
/// </summary>
/// <remarks>
/// The stores refuse to write text with U+0000, as the SQLite stores do; the encoding still matters for what is only looked
/// up: an id with U+0000 (a forged one, say) is then simply not found, instead of the server failing the statement. Every
/// PostgreSQL store encodes the text it binds and decodes what it reads.
/// </remarks>
internal static class PostgreSqlText
{
    /// <summary>The escape character.</summary>
    public const char Escape = '\uE000';

    /// <summary>Encodes a string for storage; <see langword="null"/> stays <see langword="null"/>.</summary>
    public static string? Encode(string? value)
    {
        if (value is null || value.AsSpan().IndexOfAny('\0', Escape) < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\0':
                    builder.Append(Escape).Append('0');
                    break;
                case Escape:
                    builder.Append(Escape).Append('e');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Encodes each string of an array.</summary>
    public static string[] Encode(IEnumerable<string> values) => values.Select(v => Encode(v)!).ToArray();

    /// <summary>Decodes a stored string; <see langword="null"/> stays <see langword="null"/>.</summary>
    public static string? Decode(string? value)
    {
        if (value is null || value.IndexOf(Escape, StringComparison.Ordinal) < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == Escape && i + 1 < value.Length)
            {
                i++;
                builder.Append(value[i] == '0' ? '\0' : Escape);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes a stored string that is never <see langword="null"/>.</summary>
    public static string DecodeRequired(string value) => Decode(value)!;
}
