using System.Globalization;
using System.Text;

namespace LongMemory.Kernel.Benchmarks.Perf;

/// <summary>
/// Generates a deterministic, varied chat between a user and an assistant: topics drift across sessions, messages
/// mix everyday talk, numbers, dates, names and the odd code snippet, and lengths vary (user 8-45 words, assistant
/// 25-140 words), so token counts, keyword statistics and vectors look like a real long-running chat.
/// </summary>
internal sealed class SyntheticChat
{
    private static readonly string[][] Topics =
    [
        ["trip", "flight", "hotel", "itinerary", "Lisbon", "Kyoto", "passport", "luggage", "museum", "beach"],
        ["recipe", "sourdough", "oven", "garlic", "risotto", "spices", "dinner", "vegetarian", "bake", "pasta"],
        ["project", "deadline", "database", "deployment", "bug", "refactor", "API", "latency", "release", "tests"],
        ["marathon", "training", "knee", "stretching", "interval", "pace", "shoes", "recovery", "protein", "sleep"],
        ["budget", "savings", "mortgage", "rent", "taxes", "invoice", "pension", "index fund", "expenses", "salary"],
        ["guitar", "chords", "concert", "album", "piano", "lessons", "jazz", "playlist", "rhythm", "band"],
        ["garden", "tomatoes", "compost", "seeds", "roses", "watering", "soil", "greenhouse", "pruning", "basil"],
        ["daughter", "school", "homework", "birthday", "party", "teacher", "soccer", "holiday", "grandparents", "bedtime"],
        ["novel", "chapter", "author", "library", "poetry", "mystery", "biography", "book club", "essay", "review"],
        ["car", "engine", "tyres", "insurance", "mechanic", "battery", "road trip", "parking", "fuel", "service"],
        ["apartment", "furniture", "paint", "landlord", "kitchen", "renovation", "couch", "plumber", "lamp", "moving"],
        ["dog", "vet", "walks", "leash", "puppy", "treats", "training class", "cat", "adoption", "grooming"],
    ];

    private static readonly string[] Names = ["Anna", "Ben", "Carla", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luis"];
    private static readonly string[] Fillers =
    [
        "honestly", "to be fair", "by the way", "as I said before", "if that makes sense", "for what it's worth", "again",
        "last week", "yesterday", "this morning", "next month", "over the weekend",
    ];

    private static readonly string[] Verbs = ["planning", "thinking about", "worried about", "excited about", "comparing", "fixing", "organising", "learning about", "reading about", "trying"];
    private static readonly string[] Adjectives = ["cheap", "reliable", "quick", "healthy", "quiet", "modern", "simple", "expensive", "small", "long"];

    private readonly Random _random;
    private int _topic;

    public SyntheticChat(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>Moves to the topic of a session (sessions drift through the topics, with some mixing).</summary>
    public void StartSession(int session) => _topic = (session * 7 + _random.Next(3)) % Topics.Length;

    public string UserMessage()
    {
        var words = Topics[_topic];
        var other = Topics[(_topic + 1 + _random.Next(Topics.Length - 1)) % Topics.Length];
        var sb = new StringBuilder();
        switch (_random.Next(6))
        {
            case 0:
                sb.Append(CultureInfo.InvariantCulture, $"I'm {Pick(Verbs)} the {Pick(words)} and the {Pick(words)}. ");
                sb.Append(CultureInfo.InvariantCulture, $"{Pick(Names)} said a {Pick(Adjectives)} {Pick(words)} would cost about {_random.Next(20, 2000)} euros. ");
                break;
            case 1:
                sb.Append(CultureInfo.InvariantCulture, $"Can you remind me what we decided about the {Pick(words)}? ");
                break;
            case 2:
                sb.Append(CultureInfo.InvariantCulture, $"Quick question, {Pick(Fillers)}: is a {Pick(Adjectives)} {Pick(words)} better than a {Pick(Adjectives)} {Pick(other)}? ");
                break;
            case 3:
                sb.Append(CultureInfo.InvariantCulture, $"My {Pick(["sister", "friend", "colleague", "neighbour", "boss"])} {Pick(Names)} is {Pick(Verbs)} {Pick(words)} on {Date()}. ");
                sb.Append(CultureInfo.InvariantCulture, $"I should {Pick(["book", "buy", "check", "call about", "write down"])} the {Pick(words)} before then. ");
                break;
            case 4:
                sb.Append(CultureInfo.InvariantCulture, $"Here is what I have so far: `{Pick(words).Replace(' ', '_')}_count = {_random.Next(1, 99)}; total += {Pick(other).Replace(' ', '_')}({_random.Next(1, 9)});` does that look right? ");
                break;
            default:
                sb.Append(CultureInfo.InvariantCulture, $"{Capitalize(Pick(Fillers))}, the {Pick(words)} went {Pick(["well", "badly", "better than expected", "nowhere"])}. ");
                break;
        }

        var extra = _random.Next(0, 3);
        for (var i = 0; i < extra; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Also the {Pick(words)} is {Pick(Adjectives)} and I need it by {Date()}. ");
        }

        return sb.ToString().TrimEnd();
    }

    public string AssistantMessage()
    {
        var words = Topics[_topic];
        var sb = new StringBuilder();
        var sentences = _random.Next(2, 9);
        for (var i = 0; i < sentences; i++)
        {
            switch (_random.Next(7))
            {
                case 0:
                    sb.Append(CultureInfo.InvariantCulture, $"A {Pick(Adjectives)} {Pick(words)} usually works well if you plan the {Pick(words)} first. ");
                    break;
                case 1:
                    sb.Append(CultureInfo.InvariantCulture, $"You mentioned {Pick(Names)} and the {Pick(words)} earlier; keeping a short list of {_random.Next(3, 12)} items helps. ");
                    break;
                case 2:
                    sb.Append(CultureInfo.InvariantCulture, $"1. Check the {Pick(words)}.\n2. Compare {_random.Next(2, 5)} options for the {Pick(words)}.\n3. Decide by {Date()}.\n");
                    break;
                case 3:
                    sb.Append(CultureInfo.InvariantCulture, $"The numbers: roughly {_random.Next(5, 500)} per month, or {_random.NextDouble() * 100:F1}% of the {Pick(words)} budget. ");
                    break;
                case 4:
                    sb.Append(CultureInfo.InvariantCulture, $"That's a {Pick(Adjectives)} choice — {Pick(Fillers)}, most people find the {Pick(words)} the hardest part. ");
                    break;
                case 5:
                    sb.Append(CultureInfo.InvariantCulture, $"If the {Pick(words)} is {Pick(Adjectives)}, try {Pick(Verbs)} the {Pick(words)} instead of the {Pick(words)}. ");
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"Would you like me to remember that your {Pick(words)} preference is \"{Pick(Adjectives)}\"? ");
                    break;
            }
        }

        return sb.ToString().TrimEnd();
    }

    private string Date() => new DateTime(2024, 1, 1).AddDays(_random.Next(0, 700)).ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
