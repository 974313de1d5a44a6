using System.Globalization;
using System.Text;

namespace LongMemory.Kernel;

/// <summary>
/// Turns any user text into a safe FTS5 MATCH expression: the text is split into words here (letters, digits and
/// combining marks, as FTS5's unicode61 tokenizer does), the selective words are kept, every word is double-quoted, and
/// the words are OR-joined inside the owner's scope. No
/// character of the user's text is ever read as FTS5 syntax (quotes, <c>NEAR</c>, <c>*</c>, <c>-</c>, <c>AND</c>,
/// parentheses, column filters).
/// </summary>
internal static class Fts5Query
{
    /// <summary>The most distinct words a query considers.</summary>
    public const int MaxTerms = 32;

    /// <summary>The most terms a keyword query runs with (the rarest ones).</summary>
    public const int MaxSelectedTerms = 8;

    /// <summary>The terms kept when every term is common.</summary>
    public const int MaxCommonTerms = 2;

    /// <summary>Below this many documents every found term is kept: ranking them all is cheap, and pruning a small index drops the very word asked about.</summary>
    public const long MinDocumentsForPruning = 100;

    /// <summary>
    /// The most postings (documents per term, summed) a query ranks: rarer terms are taken first until the sum would
    /// pass this, so the cost of BM25 ranking stays bounded however large the index grows.
    /// </summary>
    public const long MaxPostings = 1500;

    /// <summary>The share of documents above which a term is common.</summary>
    public const double CommonShare = 0.1;

    // Words so common that they match nearly every row: dropped unless the query has nothing else.
    /// <summary>Gets the stop words (lower case).</summary>
    public static IReadOnlyCollection<string> StopWords => StopWordSet;

    private static readonly HashSet<string> StopWordSet = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "does", "did", "for", "from", "had", "has", "have",
        "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that", "the", "their",
        "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which",
        "who", "will", "with", "you", "your",
    };

    /// <summary>Gets the distinct lower-cased words of a text, in order of first appearance.</summary>
    public static List<string> Tokenize(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return terms;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                word.Append(rune.ToString());
                continue;
            }

            Flush(word, terms, seen);
        }

        Flush(word, terms, seen);
        return terms;
    }

    /// <summary>
    /// Gets the words of a text worth searching for: its distinct words without stop words (unless it has nothing
    /// else), at most <see cref="MaxTerms"/>; empty when the text has no word.
    /// </summary>
    public static List<string> Terms(string? text)
    {
        var terms = Tokenize(text);
        var meaningful = terms.Where(t => !StopWordSet.Contains(t)).ToList();
        if (meaningful.Count > 0)
        {
            terms = meaningful;
        }

        return terms.Count > MaxTerms ? terms.GetRange(0, MaxTerms) : terms;
    }

    /// <summary>
    /// Keeps the selective terms: terms found in no document are dropped (they cannot match), then terms found in more
    /// than <see cref="CommonShare"/> of the documents are dropped when rarer ones exist and the index holds at least
    /// <see cref="MinDocumentsForPruning"/> documents (a word in a third of all rows
    /// makes BM25 rank a third of all rows while adding almost nothing to the order of the best ones), and at most
    /// <see cref="MaxSelectedTerms"/> of the rarest are kept, as long as their postings stay within
    /// <see cref="MaxPostings"/> (the rarest is always kept). When every term is common, the
    /// <see cref="MaxCommonTerms"/> rarest are kept.
    /// </summary>
    /// <param name="terms">The query terms, in query order.</param>
    /// <param name="documentFrequency">Gets the number of documents holding a term (0 when unknown); the SQLite index counts the searching owner's documents only.</param>
    /// <param name="documentCount">The number of documents (an estimate is enough).</param>
    /// <returns>The chosen terms, rarest first; empty when no term occurs at all.</returns>
    public static List<string> SelectTerms(IReadOnlyList<string> terms, Func<string, long> documentFrequency, long documentCount)
    {
        var found = new List<(string Term, long Frequency, int Order)>(terms.Count);
        for (var i = 0; i < terms.Count; i++)
        {
            var frequency = documentFrequency(terms[i]);
            if (frequency > 0)
            {
                found.Add((terms[i], frequency, i));
            }
        }

        found.Sort(static (a, b) => a.Frequency != b.Frequency ? a.Frequency.CompareTo(b.Frequency) : a.Order.CompareTo(b.Order));
        if (documentCount < MinDocumentsForPruning)
        {
            return found.Take(MaxSelectedTerms).Select(f => f.Term).ToList();
        }

        var commonAbove = Math.Max(1.0, documentCount * CommonShare);
        var selective = new List<string>();
        long postings = 0;
        foreach (var (term, frequency, _) in found.Where(f => f.Frequency <= commonAbove).Take(MaxSelectedTerms))
        {
            if (selective.Count > 0 && postings + frequency > MaxPostings)
            {
                break;
            }

            selective.Add(term);
            postings += frequency;
        }

        return selective.Count > 0 ? selective : found.Take(MaxCommonTerms).Select(f => f.Term).ToList();
    }

    /// <summary>
    /// Builds <c>scope : (...) [AND scope : "session"] AND text : ("t1" OR "t2" ...)</c> from already chosen terms and
    /// the scope tokens of memory_fts (see schema migration 3).
    /// </summary>
    /// <param name="userId">The owner key.</param>
    /// <param name="collections">The collections to search, or <see langword="null"/> for all.</param>
    /// <param name="sessionId">The session to search, or <see langword="null"/> for all.</param>
    /// <param name="terms">The terms (at least one).</param>
    /// <returns>The MATCH expression.</returns>
    public static string BuildScoped(string userId, IReadOnlyList<string>? collections, string? sessionId, IReadOnlyList<string> terms)
    {
        var owner = Hex(userId);
        var expression = new StringBuilder("scope : ");
        if (collections is { Count: > 0 })
        {
            expression.Append('(');
            var first = true;
            foreach (var collection in collections.Distinct(StringComparer.Ordinal))
            {
                expression.Append(first ? "\"" : " OR \"").Append(Hex(collection)).Append('z').Append(owner).Append('"');
                first = false;
            }

            expression.Append(')');
        }
        else
        {
            expression.Append("\"z").Append(owner).Append('"');
        }

        if (sessionId is not null)
        {
            expression.Append(" AND scope : \"y").Append(Hex(sessionId)).Append('"');
        }

        expression.Append(" AND text : (");
        for (var i = 0; i < terms.Count; i++)
        {
            expression.Append(i == 0 ? "\"" : " OR \"").Append(terms[i].Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return expression.Append(')').ToString();
    }

    /// <summary>The upper-case hexadecimal UTF-8 bytes of a text, as SQLite's <c>hex()</c> writes them.</summary>
    public static string Hex(string value) => Convert.ToHexString(Encoding.UTF8.GetBytes(value));

    /// <summary>Gets whether a character belongs to a word (letters, digits, combining marks, private use).</summary>
    public static bool IsWordRune(Rune rune) =>
        Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.PrivateUse;

    private static void Flush(StringBuilder word, List<string> terms, HashSet<string> seen)
    {
        if (word.Length == 0)
        {
            return;
        }

        var term = word.ToString().ToLowerInvariant();
        word.Clear();
        if (seen.Add(term))
        {
            terms.Add(term);
        }
    }
}
