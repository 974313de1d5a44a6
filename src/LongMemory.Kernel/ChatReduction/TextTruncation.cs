namespace LongMemory.Kernel;

/// <summary>Cuts text to a token bound, preferring whole sentences, then whole words.</summary>
internal static class TextTruncation
{
    private static readonly char[] SentenceEnds = ['.', '!', '?', '\n'];

    public static string Truncate(string text, int maxTokens, ITokenCounter counter)
    {
        text = text.Trim();
        if (maxTokens <= 0 || text.Length == 0)
        {
            return string.Empty;
        }

        if (counter.CountTokens(text) <= maxTokens)
        {
            return text;
        }

        // Longest prefix ending at a sentence end that fits.
        var best = -1;
        for (var i = text.IndexOfAny(SentenceEnds); i >= 0; i = text.IndexOfAny(SentenceEnds, i + 1))
        {
            if (counter.CountTokens(text[..(i + 1)]) > maxTokens)
            {
                break;
            }

            best = i + 1;
        }

        if (best > 0)
        {
            return text[..best].Trim();
        }

        // No whole sentence fits: binary search on word boundaries.
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int lo = 0, hi = words.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (counter.CountTokens(string.Join(' ', words, 0, mid)) <= maxTokens)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (lo > 0)
        {
            return string.Join(' ', words, 0, lo);
        }

        // A single word longer than the bound: cut characters.
        var chars = words[0];
        lo = 0;
        hi = chars.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (counter.CountTokens(chars[..mid]) <= maxTokens)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return chars[..lo];
    }
}
