namespace LongMemory.Kernel;

/// <summary>
/// Plain-language phrasings of common knowledge keys, indexed with a fact so that the way people ask ("where do I
/// live?", "what do I do for work?") finds the fact stored under its key (<c>location</c>, <c>job</c>).
/// </summary>
internal static class KnowledgeHints
{
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["name"] = "my name, what I am called, who I am",
        ["location"] = "where I live, my home, city, town, country, moved, living",
        ["hometown"] = "where I am from, where I grew up, origin, born",
        ["job"] = "my job, work, occupation, profession, what I do for a living, career",
        ["employer"] = "where I work, company, employer, workplace",
        ["allergies"] = "allergic, allergy, food I cannot eat, health",
        ["birthday"] = "birthday, born, date of birth, age",
        ["age"] = "how old I am, age, years old",
        ["email"] = "email address, contact",
        ["phone"] = "phone number, contact, call",
    };

    /// <summary>The text a fact is indexed with: its key words, its value and, for known keys, how people ask about it.</summary>
    public static string IndexText(string key, string value)
    {
        var words = key.Replace('_', ' ');
        string? hint;
        if (key.EndsWith("_name", StringComparison.Ordinal))
        {
            var who = key[..^"_name".Length].Replace('_', ' ');
            hint = $"my {who}'s name, what my {who} is called, my {who}";
        }
        else if (key.StartsWith("preference_", StringComparison.Ordinal))
        {
            hint = "likes, dislikes, favourite, enjoy, love, hate, preference";
        }
        else
        {
            Hints.TryGetValue(key, out hint);
        }

        return hint is null ? $"{words}: {value}" : $"{words}: {value} ({hint})";
    }
}
