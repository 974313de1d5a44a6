namespace LongMemory.Kernel;

/// <summary>English function words, used to tell a real keyword match from one on "what's" or "the".</summary>
internal static class StopWords
{
    private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "before", "but", "by", "can", "could", "did", "do", "does", "doing", "don't", "for", "from", "had", "has", "have",
        "he", "her", "here", "hers", "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just",
        "know", "let's", "me", "more", "my", "no", "not", "now", "of", "on", "one", "or", "our", "out", "please", "remind",
        "said", "say", "she", "should", "so", "some", "tell", "than", "that", "that's", "the", "their", "them", "then",
        "there", "these", "they", "this", "to", "too", "up", "us", "very", "was", "we", "were", "what", "what's", "when",
        "where", "which", "who", "why", "will", "with", "would", "yes", "you", "your",
    };

    /// <summary>Whether the two texts share a word that is not a stop word (case-insensitive, 2+ letters).</summary>
    public static bool ShareContentWord(string a, string b)
    {
        var left = ContentWords(a);
        return left.Count > 0 && ContentWords(b).Overlaps(left);
    }

    private static HashSet<string> ContentWords(string text)
    {
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = text[start..i].Trim('\'');
                if (word.Length >= 2 && !Words.Contains(word))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        return words;
    }
}
