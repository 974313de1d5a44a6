namespace LongMemory.Kernel.Qdrant.Sparse;

/// <summary>
/// Client-side BM25 sparse vectors for Qdrant servers without built-in BM25 inference: a deterministic tokenizer, term
/// ids from a 32-bit FNV-1a hash, and BM25's saturated term frequency as the document weight. The IDF factor is left
/// to the server (<c>"modifier": "idf"</c> on the sparse vector), which computes it from the collection's statistics.
/// </summary>
/// <remarks>
/// Tokens are maximal runs of letters or digits, lower-cased with the invariant culture and cut at
/// <see cref="MaxTokenLength"/> characters. Hash collisions merge two terms; with 2^32 ids they are rare and only add a
/// little noise to keyword ranking. A query vector has weight 1 per distinct term, as Qdrant's own BM25 does.
/// </remarks>
internal sealed class Bm25SparseEncoder
{
    /// <summary>Longer tokens are cut to this many characters.</summary>
    public const int MaxTokenLength = 40;

    private readonly double _k1;
    private readonly double _b;
    private readonly double _averageLength;

    public Bm25SparseEncoder(double k1, double b, double averageLength)
    {
        _k1 = k1;
        _b = b;
        _averageLength = averageLength;
    }

    /// <summary>Gets the term ids of a text, one per token occurrence, in text order.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The term ids.</returns>
    public static List<uint> TermIds(string text)
    {
        var ids = new List<uint>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var hash = 2166136261u;
            var length = 0;
            while (i < text.Length && char.IsLetterOrDigit(text[i]))
            {
                if (length < MaxTokenLength)
                {
                    var c = char.ToLowerInvariant(text[i]);
                    hash = (hash ^ (byte)c) * 16777619u;
                    hash = (hash ^ (byte)(c >> 8)) * 16777619u;
                    length++;
                }

                i++;
            }

            ids.Add(hash);
        }

        return ids;
    }

    /// <summary>Encodes a stored text: BM25 term-frequency saturation with length normalisation.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Indices (ascending, unique) and weights; empty when the text has no tokens.</returns>
    public (uint[] Indices, float[] Values) EncodeDocument(string text)
    {
        var ids = TermIds(text);
        if (ids.Count == 0)
        {
            return ([], []);
        }

        var counts = new SortedDictionary<uint, int>();
        foreach (var id in ids)
        {
            counts[id] = counts.TryGetValue(id, out var n) ? n + 1 : 1;
        }

        var norm = _k1 * (1 - _b + (_b * ids.Count / _averageLength));
        var indices = new uint[counts.Count];
        var values = new float[counts.Count];
        var j = 0;
        foreach (var (id, tf) in counts)
        {
            indices[j] = id;
            values[j] = (float)(tf * (_k1 + 1) / (tf + norm));
            j++;
        }

        return (indices, values);
    }

    /// <summary>Encodes a query: weight 1 per distinct term.</summary>
    /// <param name="text">The query text.</param>
    /// <returns>Indices (ascending, unique) and weights; empty when the text has no tokens.</returns>
    public static (uint[] Indices, float[] Values) EncodeQuery(string text)
    {
        var indices = TermIds(text).Distinct().Order().ToArray();
        var values = new float[indices.Length];
        Array.Fill(values, 1f);
        return (indices, values);
    }
}
