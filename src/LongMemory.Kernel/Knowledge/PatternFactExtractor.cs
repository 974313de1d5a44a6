using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// An offline fact extractor over what the user said (assistant and tool messages are ignored): name, location,
/// hometown, job and employer, family and pet names, likes and dislikes, "my X is Y" and "key: value" lines.
/// </summary>
/// <remarks>
/// <para>Precompiled (source-generated) patterns keep it cheap enough to run on every user message.</para>
/// <para>
/// It prefers missing a fact to inventing one: "I'm Alice" is a name, "I'm tired" is not (a name must be capitalized and not
/// a common state or nationality), "I live in a small flat" is not a location. Keys: <c>name</c>, <c>location</c>,
/// <c>hometown</c> ("I'm from X"), <c>job</c>, <c>employer</c>, <c>{relation}_name</c>, <c>preference_{thing}</c> (value
/// "likes X" or "dislikes X", so a change of mind supersedes), and the snake_case of X for "my X is Y" and "X: Y".
/// </para>
/// </remarks>
public sealed partial class PatternFactExtractor : IFactExtractor
{
    private const int TimeoutMilliseconds = 250;
    private const string Place = @"(?<v>\p{Lu}[\p{L}.'-]*(?:\s+(?:\p{Lu}[\p{L}.'-]*|de|da|do|del|la|le|upon|am|on)){0,3}(?:,\s*\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*)?)?)";
    private const string Organisation = @"(?<org>\p{Lu}[\p{L}\d&.'-]*(?:\s+\p{Lu}[\p{L}\d&.'-]*){0,3})";
    private const string End = @"(?=\s*(?:[.,!?;:)]|$|\s(?i:and|but|because|since|so|for|now|with|where|when|at|in|on|during|every|from)\b))";

    // Places and organisations are runs of capitalized words, so they end at the first word that is not one.
    private const string NameEnd = @"(?![\p{L}'-])";

    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "sorry", "fine", "good", "great", "ok", "okay", "tired", "back", "here", "there", "not", "so", "just", "happy", "sad",
        "sure", "done", "ready", "excited", "afraid", "busy", "hungry", "new", "late", "home", "free", "glad", "confused", "lost",
        "german", "french", "english", "american", "british", "canadian", "spanish", "italian", "chinese", "japanese", "indian",
        "russian", "dutch", "swedish", "polish", "mexican", "brazilian", "australian", "irish", "scottish", "welsh", "korean",
        "christian", "muslim", "jewish", "catholic", "vegan", "vegetarian", "retired", "married", "single", "divorced", "pregnant",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "always", "also", "still", "really", "very",
    };

    private static readonly HashSet<string> Relations = new(StringComparer.OrdinalIgnoreCase)
    {
        "wife", "husband", "partner", "boyfriend", "girlfriend", "fiance", "fiancee", "son", "daughter", "sister", "brother",
        "mother", "mom", "mum", "father", "dad", "dog", "cat", "pet", "baby", "kid", "child", "grandmother", "grandma",
        "grandfather", "grandpa", "aunt", "uncle", "cousin", "niece", "nephew", "boss", "friend", "best friend", "roommate",
    };

    private static readonly HashSet<string> NotObjects = new(StringComparer.OrdinalIgnoreCase)
    {
        "it", "that", "this", "them", "you", "him", "her", "me", "us", "what", "how", "when", "where", "your", "those", "these",
        "about", "if", "doing", "having", "being", "getting",
    };

    private static readonly HashSet<string> NotGenericKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "problem", "question", "point", "guess", "bad", "fault", "pleasure", "turn", "answer", "issue", "concern",
        "idea", "understanding", "impression", "feeling", "hope", "worry", "head", "back", "mind", "god", "goodness", "gosh",
    };

    private static readonly HashSet<string> NotLineKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "http", "https", "note", "notes", "warning", "error", "question", "answer", "q", "a", "re", "edit", "ps", "example",
        "todo", "update", "user", "assistant", "system", "tool", "step", "tip", "hint", "fyi", "btw",
    };

    private static readonly string[] NotValueStarts =
    [
        "not ", "so ", "very ", "really ", "too ", "kind of", "a bit", "probably", "still ", "also ", "just ", "to ", "that ",
        "the same", "gone", "broken", "killing", "dead", "out ", "over", "fine", "ok", "okay", "good", "bad",
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<ExtractedFact>> ExtractAsync(IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);
        var facts = new List<ExtractedFact>();
        foreach (var message in messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (message.Role == ChatRole.User && !string.IsNullOrWhiteSpace(message.Content))
            {
                facts.AddRange(Extract(message.Content, message.Id));
            }
        }

        return Task.FromResult<IReadOnlyList<ExtractedFact>>(facts);
    }

    /// <summary>Extracts facts from one user text.</summary>
    /// <param name="text">What the user said.</param>
    /// <param name="sourceMessageId">The id of the message, if stored.</param>
    /// <returns>The facts, at most one per key (the first, most specific pattern wins).</returns>
    public IReadOnlyList<ExtractedFact> Extract(string text, long? sourceMessageId = null)
    {
        Throw.IfNull(text);
        var found = new Dictionary<string, ExtractedFact>(StringComparer.Ordinal);
        void Add(string key, string value, double confidence)
        {
            key = FactKeys.Normalize(key);
            value = CleanValue(value);
            if (key.Length is > 0 and <= 60 && value.Length is > 0 and <= 120)
            {
                found.TryAdd(key, new ExtractedFact(key, value, confidence, sourceMessageId));
            }
        }

        foreach (var m in Matches(MyNameIsRegex(), text))
        {
            Add("name", TitleCase(m.Groups["v"].Value), 0.95);
        }

        foreach (var m in Matches(CallMeRegex(), text))
        {
            Add("name", m.Groups["v"].Value, 0.8);
        }

        foreach (var m in Matches(IAmNameRegex(), text))
        {
            var name = m.Groups["v"].Value;
            if (!name.Split(' ').Any(NotNames.Contains))
            {
                Add("name", name, 0.7);
            }
        }

        foreach (var m in Matches(LiveInRegex(), text))
        {
            Add("location", m.Groups["v"].Value, m.Groups["verb"].Value.Contains("mov", StringComparison.OrdinalIgnoreCase) ? 0.85 : 0.9);
        }

        foreach (var m in Matches(FromRegex(), text))
        {
            Add("hometown", m.Groups["v"].Value, 0.8);
        }

        foreach (var m in Matches(JobAtRegex(), text))
        {
            Add("job", m.Groups["v"].Value, 0.85);
            Add("employer", m.Groups["org"].Value, 0.85);
        }

        foreach (var m in Matches(WorkAsRegex(), text))
        {
            Add("job", m.Groups["v"].Value, 0.9);
            if (m.Groups["org"].Success)
            {
                Add("employer", m.Groups["org"].Value, 0.85);
            }
        }

        foreach (var m in Matches(MyJobIsRegex(), text))
        {
            Add("job", m.Groups["v"].Value, 0.9);
        }

        foreach (var m in Matches(WorkAtRegex(), text))
        {
            Add("employer", m.Groups["org"].Value, 0.85);
        }

        foreach (var m in Matches(RelationNamedRegex(), text))
        {
            Add(m.Groups["rel"].Value + "_name", m.Groups["v"].Value, 0.9);
        }

        foreach (var m in Matches(PossessiveNameRegex(), text))
        {
            Add(m.Groups["rel"].Value + "_name", TitleCase(m.Groups["v"].Value), 0.85);
        }

        foreach (var m in Matches(PreferenceRegex(), text))
        {
            var thing = CleanValue(m.Groups["v"].Value);
            if (thing.StartsWith("to ", StringComparison.OrdinalIgnoreCase))
            {
                thing = thing[3..];
            }

            var first = thing.Split(' ')[0];
            if (thing.Length == 0 || NotObjects.Contains(first))
            {
                continue;
            }

            var verb = m.Groups["verb"].Value.ToLowerInvariant();
            var likes = verb is "love" or "like" or "enjoy" or "adore";
            var confidence = first.Equals("the", StringComparison.OrdinalIgnoreCase) ? 0.6 : 0.8;
            Add("preference_" + thing, (likes ? "likes " : "dislikes ") + thing, confidence);
        }

        foreach (var m in Matches(MyXIsYRegex(), text))
        {
            var key = m.Groups["k"].Value;
            var value = m.Groups["v"].Value.Trim();
            if (NotGenericKeys.Contains(key) || Relations.Contains(key) || key.EndsWith("name", StringComparison.OrdinalIgnoreCase) && found.ContainsKey(FactKeys.Normalize(key)))
            {
                continue;
            }

            var firstWord = value.Split(' ')[0];
            if (NotValueStarts.Any(s => value.StartsWith(s, StringComparison.OrdinalIgnoreCase)) || firstWord.EndsWith("ing", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Add(key, value, 0.75);
        }

        foreach (var m in Matches(KeyValueLineRegex(), text))
        {
            var key = m.Groups["k"].Value.Trim();
            var value = m.Groups["v"].Value.Trim();

            // "Big news: I moved!" is a sentence, not a field.
            if (!NotLineKeys.Contains(key) && key.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 3
                && !FirstPersonStartRegex().IsMatch(value) && !value.EndsWith('!') && !value.EndsWith('?'))
            {
                Add(key, value, 0.8);
            }
        }

        return [.. found.Values];
    }

    private static IEnumerable<Match> Matches(Regex regex, string text)
    {
        MatchCollection matches;
        try
        {
            matches = regex.Matches(text);
            _ = matches.Count;
        }
        catch (RegexMatchTimeoutException)
        {
            // Pathological input: this pattern yields nothing rather than stalling the turn.
            return [];
        }

        return matches;
    }

    private static string CleanValue(string value) => value.Trim().TrimEnd('.', ',', '!', '?', ';', ':', ')').Trim().Trim('"', '\'').Trim();

    private static string TitleCase(string value) =>
        value.Length > 0 && char.IsLower(value[0]) ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(value) : value;

    [GeneratedRegex(@"\b(?i:my\s+name\s+is|my\s+name's)\s+(?<v>\p{L}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*){0,2})", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex MyNameIsRegex();

    [GeneratedRegex(@"\b(?i:(?:you\s+can\s+|please\s+)?call\s+me)\s+(?<v>\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)" + End, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex CallMeRegex();

    [GeneratedRegex(@"(?<![\p{L}'])(?i:i'm|i\s+am|im)\s+(?<v>\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)?)(?=\s*(?:[.,!;]|$|\s(?i:and|but|by)\b|\s-))", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex IAmNameRegex();

    [GeneratedRegex(@"\b(?<verb>(?i:i\s+live\s+in|i'm\s+living\s+in|i\s+am\s+living\s+in|i(?:'ve|\s+have)?\s+(?:just\s+|recently\s+)?(?:moved|relocated)\s+to|i'm\s+based\s+in|i\s+am\s+based\s+in))\s+(?:(?i:the)\s+)?" + Place + NameEnd, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex LiveInRegex();

    [GeneratedRegex(@"\b(?i:i'm\s+(?:originally\s+)?from|i\s+am\s+(?:originally\s+)?from|i\s+come\s+from|i\s+grew\s+up\s+in)\s+(?:(?i:the)\s+)?" + Place + NameEnd, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex FromRegex();

    [GeneratedRegex(@"\b(?i:i'm|i\s+am)\s+(?i:an?)\s+(?<v>\p{Ll}[\p{Ll}-]*(?:\s+\p{Ll}[\p{Ll}-]*){0,2})\s+(?i:at|for|with)\s+" + Organisation + NameEnd, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex JobAtRegex();

    [GeneratedRegex(@"\b(?i:i\s+work\s+as)\s+(?:(?i:an?)\s+)?(?<v>[\p{L}-]+(?:\s+[\p{L}-]+){0,3}?)(?:\s+(?i:at|for)\s+" + Organisation + ")?" + End, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex WorkAsRegex();

    [GeneratedRegex(@"\b(?i:my\s+(?:job|job\s+title|profession|occupation)\s+is)\s+(?:(?i:an?)\s+)?(?<v>[\p{L}-]+(?:\s+[\p{L}-]+){0,3}?)" + End, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex MyJobIsRegex();

    [GeneratedRegex(@"\b(?i:i\s+work\s+(?:at|for))\s+" + Organisation + NameEnd, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex WorkAtRegex();

    [GeneratedRegex(@"\b(?i:my)\s+(?<rel>(?i:best\s+friend|wife|husband|partner|boyfriend|girlfriend|fianc[eé]e?|son|daughter|sister|brother|mother|mom|mum|father|dad|dog|cat|pet|baby|kid|child|grandmother|grandma|grandfather|grandpa|aunt|uncle|cousin|niece|nephew|boss|friend|roommate))\s+(?:(?i:is\s+(?:named|called)|'s\s+(?:named|called)|named|called))\s+(?<v>\p{Lu}[\p{L}'-]*)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex RelationNamedRegex();

    [GeneratedRegex(@"\b(?i:my)\s+(?<rel>\p{L}+(?:\s+\p{L}+)?)(?:'s|’s)\s+(?i:name\s+is)\s+(?<v>\p{L}[\p{L}'-]*)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PossessiveNameRegex();

    [GeneratedRegex(@"(?<![\p{L}'])(?i:i)\s+(?:(?i:really|absolutely|totally|truly|do)\s+)?(?<verb>(?i:love|like|enjoy|adore|hate|dislike|detest))\s+(?<v>[\p{L}\d][\p{L}\d' -]{1,40}?)" + End, RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex PreferenceRegex();

    [GeneratedRegex(@"\b(?i:my)\s+(?<k>\p{L}+(?:\s+\p{L}+){0,2}?)\s+(?i:is)\s+(?<v>(?:[^.!?;,\n]|\.(?=\S)){1,60}?)(?=\s*(?:[.!?;](?=\s|$)|\n|,\s|$)|\s(?i:and|but|because|so|since)\s)", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex MyXIsYRegex();

    [GeneratedRegex(@"^(?i:i|i'm|i've|i'd|we|we're|my|our)\b", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex FirstPersonStartRegex();

    [GeneratedRegex(@"^[ \t]*(?<k>\p{L}[\p{L} _-]{0,30}?)[ \t]*:[ \t]*(?<v>[^\s/][^\n]{0,150}?)[ \t]*$", RegexOptions.CultureInvariant | RegexOptions.Multiline, TimeoutMilliseconds)]
    private static partial Regex KeyValueLineRegex();
}
