using System.Text;

namespace LongMemory.Kernel.Benchmarks.Retrieval;

/// <summary>
/// A plain in-memory Okapi BM25 ranking (k1 = 1.2, b = 0.75, lower-case letter/digit word tokens, no stemming, no
/// stop-word list), the baseline recall is compared with. The idf is the non-negative Lucene form
/// <c>ln(1 + (N - df + 0.5) / (df + 0.5))</c>; every query token counts (a repeated query word counts twice), as in
/// the reference implementation rank_bm25. Ties keep document order.
/// </summary>
internal sealed class Bm25Index
{
    private readonly List<Dictionary<string, int>> _termFrequencies = [];
    private readonly List<int> _lengths = [];
    private readonly Dictionary<string, int> _documentFrequencies = new(StringComparer.Ordinal);
    private readonly double _k1;
    private readonly double _b;

    public Bm25Index(IEnumerable<string> documents, double k1 = 1.2, double b = 0.75)
    {
        _k1 = k1;
        _b = b;
        foreach (var document in documents)
        {
            var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
            var length = 0;
            foreach (var token in Tokenize(document))
            {
                frequencies[token] = frequencies.GetValueOrDefault(token) + 1;
                length++;
            }

            foreach (var term in frequencies.Keys)
            {
                _documentFrequencies[term] = _documentFrequencies.GetValueOrDefault(term) + 1;
            }

            _termFrequencies.Add(frequencies);
            _lengths.Add(length);
        }

        AverageLength = _lengths.Count == 0 ? 0 : _lengths.Average();
    }

    public int Count => _lengths.Count;

    public double AverageLength { get; }

    /// <summary>Lower-case runs of letters and digits.</summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    /// <summary>Returns the indexes of the best <paramref name="top"/> documents with a positive score, best first.</summary>
    public IReadOnlyList<int> Search(string query, int top)
    {
        var terms = Tokenize(query).ToList();
        var scores = new double[Count];
        var n = Count;
        foreach (var term in terms)
        {
            if (!_documentFrequencies.TryGetValue(term, out var df))
            {
                continue;
            }

            var idf = Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            for (var i = 0; i < n; i++)
            {
                if (_termFrequencies[i].TryGetValue(term, out var tf))
                {
                    var norm = _k1 * (1 - _b + (_b * _lengths[i] / AverageLength));
                    scores[i] += idf * tf * (_k1 + 1) / (tf + norm);
                }
            }
        }

        return Enumerable.Range(0, n)
            .Where(i => scores[i] > 0)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(top)
            .ToList();
    }
}
