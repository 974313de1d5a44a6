using System.Globalization;
using System.Text;

namespace LongMemory.Kernel;

/// <summary>
/// The per-owner keyword statistics of the SQLite index (schema migration 7) and the BM25 it ranks with. FTS5 finds the
/// matching rows inside the owner's scope; everything that ranks them or chooses the query's words (document frequencies,
/// document count, average length) comes from rows of the searching owner only, so another owner's writes cannot change
/// a result. (FTS5's own <c>bm25()</c> uses table-wide statistics and could not be used.)
/// </summary>
/// <remarks>
/// Words are split as <see cref="Fts5Query.Tokenize"/> does (as FTS5's unicode61), lower-cased and stripped of
/// combining marks (close to <c>remove_diacritics 2</c>), and kept as a 64-bit FNV-1a hash of their UTF-8 bytes: the
/// statistics tables never hold a user's words (deleted words could otherwise linger in B-tree interior pages), and a
/// collision only merges the counts of two words of the same owner.
/// </remarks>
internal static class KeywordStatistics
{
    /// <summary>BM25 term-frequency saturation (as FTS5's <c>bm25()</c>).</summary>
    public const double K1 = 1.2;

    /// <summary>BM25 length normalisation (as FTS5's <c>bm25()</c>).</summary>
    public const double B = 0.75;

    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    // Stop words run only in queries that have nothing else, so their counts are not kept (such a query counts each once).
    private static readonly HashSet<long> StopKeys = Fts5Query.StopWords.Select(TermKey).ToHashSet();

    /// <summary>Gets the statistics key of a query term.</summary>
    public static long TermKey(string term) => KeyOf(term.AsSpan());

    /// <summary>Analyses a text for the statistics tables.</summary>
    /// <param name="text">The item's text.</param>
    /// <returns>
    /// The number of words, the distinct term keys as a JSON array (for the triggers that keep the counts), and the
    /// terms other than stop words that occur more than once with their counts (a JSON array of [key, count] pairs), or
    /// <see langword="null"/> when none repeats.
    /// </returns>
    public static (int Length, string Terms, string? Repeats) Analyze(string? text)
    {
        var counts = new Dictionary<long, int>();
        var length = 0;
        if (!string.IsNullOrEmpty(text))
        {
            var start = -1;
            var i = 0;
            while (i < text.Length)
            {
                var status = Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
                var isWord = status == System.Buffers.OperationStatus.Done && Fts5Query.IsWordRune(rune);
                if (isWord && start < 0)
                {
                    start = i;
                }
                else if (!isWord && start >= 0)
                {
                    Count(text.AsSpan(start, i - start));
                    start = -1;
                }

                i += consumed;
            }

            if (start >= 0)
            {
                Count(text.AsSpan(start));
            }
        }

        var terms = new StringBuilder(counts.Count * 21 + 2).Append('[');
        var repeats = 0;
        foreach (var (key, count) in counts)
        {
            terms.Append(terms.Length == 1 ? string.Empty : ",").Append(key.ToString(CultureInfo.InvariantCulture));
            repeats += count > 1 && !StopKeys.Contains(key) ? 1 : 0;
        }

        StringBuilder? repeated = null;
        if (repeats > 0)
        {
            repeated = new StringBuilder(repeats * 26).Append('[');
            foreach (var (key, count) in counts)
            {
                if (count > 1 && !StopKeys.Contains(key))
                {
                    repeated.Append(repeated.Length == 1 ? "[" : ",[").Append(key.ToString(CultureInfo.InvariantCulture))
                        .Append(',').Append(count.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
            }

            repeated.Append(']');
        }

        return (length, terms.Append(']').ToString(), repeated?.ToString());

        void Count(ReadOnlySpan<char> word)
        {
            length++;
            var key = KeyOf(word);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>
    /// The inverse document frequency as FTS5's <c>bm25()</c> computes it, <c>ln((N - n + 0.5) / (n + 0.5))</c> with a
    /// floor of 1e-6 for words in more than half of the documents, here over the owner's documents only.
    /// </summary>
    public static double Idf(long documents, long frequency)
    {
        var idf = Math.Log((documents - frequency + 0.5) / (frequency + 0.5));
        return idf <= 0 ? 1e-6 : idf;
    }

    private static long KeyOf(ReadOnlySpan<char> word)
    {
        var hash = FnvOffset;
        var ascii = true;
        foreach (var c in word)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }

            hash = (hash ^ (byte)(c is >= 'A' and <= 'Z' ? c + 32 : c)) * FnvPrime;
        }

        if (!ascii)
        {
            hash = FnvOffset;
            foreach (var b in Encoding.UTF8.GetBytes(Fold(new string(word))))
            {
                hash = (hash ^ b) * FnvPrime;
            }
        }

        return unchecked((long)hash);
    }

    // Lower-cases and drops combining marks (a decomposed accent or one that came with the word), as unicode61 with
    // remove_diacritics 2 does for Latin letters.
    private static string Fold(string word)
    {
        var decomposed = word.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(c);
            }
        }

        return folded.ToString();
    }
}
