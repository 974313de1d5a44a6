namespace LongMemory.Kernel;

/// <summary>
/// The English function words the <see cref="HashingEmbeddingGenerator"/> leaves out (feature version 2): the classic
/// NLTK list, the pieces contractions split into ("don", "t", "ll", ...) and a few chat fillers ("yeah", "oh", "wow").
/// Part of the feature definition: any change here changes the vectors and needs a new feature version.
/// </summary>
internal static class HashingStopWords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
        "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
        "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
        "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
        "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
        "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
        "not", "only", "own", "same", "so", "than", "too", "very", "can", "will", "just", "should", "now", "would",
        "could", "also", "s", "t", "d", "ll", "m", "o", "re", "ve", "y", "don", "ain", "aren", "couldn", "didn",
        "doesn", "hadn", "hasn", "haven", "isn", "ma", "mightn", "mustn", "needn", "shan", "shouldn", "wasn", "weren",
        "won", "wouldn", "im", "ive", "yeah", "yes", "oh", "ok", "okay", "hey", "hi", "wow", "really",
    };

#if NET9_0_OR_GREATER
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether a lower-cased word is a stop word.</summary>
    public static bool IsStopWord(ReadOnlySpan<char> word) => word.Length <= 10 && Lookup.Contains(word);
#else
    // .NET 8 has no span lookup on HashSet; stop words are short, so the string is small and short-lived.
    private static readonly int MaxLength = Words.Max(w => w.Length);

    /// <summary>Whether a lower-cased word is a stop word.</summary>
    public static bool IsStopWord(ReadOnlySpan<char> word) => word.Length <= MaxLength && Words.Contains(word.ToString());
#endif
}
