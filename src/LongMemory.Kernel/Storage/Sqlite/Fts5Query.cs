using System.Globalization;
using System.Text;

namespace LongMemory.Kernel;

/// <summary>
/// Turns any user text into a safe FTS5 MATCH expression: the text is split into words here (letters, digits and
/// combining marks, as FTS5's unicode61 tokenizer does), every word is double-quoted, and the words are OR-joined. No
/// character of the user's text is ever read as FTS5 syntax (quotes, <c>NEAR</c>, <c>*</c>, <c>-</c>, <c>AND</c>,
/// parentheses, column filters).
/// </summary>
internal static class Fts5Query
{
    /// <summary>The most distinct words a query keeps; more only slows BM25 down without changing the best hits.</summary>
    public const int MaxTerms = 32;

    // Words so common that they match nearly every row: dropped unless the query has nothing else.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
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

    /// <summary>Builds the MATCH expression, or returns <see langword="null"/> when the text has no word.</summary>
    public static string? Build(string? text)
    {
        var terms = Tokenize(text);
        if (terms.Count == 0)
        {
            return null;
        }

        var meaningful = terms.Where(t => !StopWords.Contains(t)).ToList();
        if (meaningful.Count > 0)
        {
            terms = meaningful;
        }

        var expression = new StringBuilder();
        foreach (var term in terms.Take(MaxTerms))
        {
            if (expression.Length > 0)
            {
                expression.Append(" OR ");
            }

            expression.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return expression.ToString();
    }

    private static bool IsWordRune(Rune rune) =>
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
