using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LongMemory.Kernel.Tests.Tokens;

/// <summary>The oracle lines of Tokens/Data/oracle.jsonl (ours, copied from the project's shared data): counts from OpenAI's Rust tiktoken core.</summary>
internal static class TiktokenOracle
{
    private static readonly Lazy<IReadOnlyList<OracleLine>> LazyLines = new(Load);

    public static IReadOnlyList<OracleLine> Lines => LazyLines.Value;

    /// <summary>Shows a text with control characters, non-ASCII and surrogates escaped, for failure messages.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var ch in text.Length > 120 ? text[..120] : text)
        {
            builder.Append(ch is >= ' ' and < '\x7f' ? ch.ToString() : $"\\u{(int)ch:x4}");
        }

        return text.Length > 120 ? builder.Append("...").ToString() : builder.ToString();
    }

    private static List<OracleLine> Load()
    {
        var lines = new List<OracleLine>();
        var index = 0;
        foreach (var json in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Tokens", "Data", "oracle.jsonl")))
        {
            if (json.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;

            // GetString() rejects lone surrogates, which the oracle deliberately contains.
            var text = Unescape(root.GetProperty("text").GetRawText());
            lines.Add(new OracleLine(index++, text, root.GetProperty("o200k_base").GetInt32(), root.GetProperty("cl100k_base").GetInt32()));
        }

        return lines;
    }

    private static string Unescape(string quoted)
    {
        var builder = new StringBuilder(quoted.Length);
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            var ch = quoted[i];
            if (ch != '\\')
            {
                builder.Append(ch);
                continue;
            }

            var escape = quoted[++i];
            switch (escape)
            {
                case 'u':
                    builder.Append((char)int.Parse(quoted.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                default: builder.Append(escape); break;
            }
        }

        return builder.ToString();
    }
}

internal sealed record OracleLine(int Index, string Text, int O200kBase, int Cl100kBase);
