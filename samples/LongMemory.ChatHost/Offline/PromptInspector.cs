using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Offline;

/// <summary>
/// Reads an assembled prompt back into its parts: the <c>[Memory: ...]</c> blocks LongMemory put in as system messages,
/// the recent turns and the question. It relies only on the prompt text, so what it shows is what a model would get.
/// </summary>
internal static partial class PromptInspector
{
    private const string BlockPrefix = "[Memory: ";

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "was", "were", "you", "your", "yours", "what", "which", "who", "whom", "whose", "when",
        "where", "why", "how", "that", "this", "these", "those", "with", "from", "about", "have", "has", "had", "does", "did",
        "can", "could", "would", "should", "will", "shall", "may", "might", "must", "not", "but", "any", "all", "some", "just",
        "again", "now", "then", "than", "there", "here", "its", "it's", "i'm", "i've", "i'd", "i'll", "our", "out", "into",
        "also", "too", "very", "really", "still", "tell", "know", "remember", "please", "thanks", "thank", "yes", "okay",
    };

    /// <summary>Reads a prompt.</summary>
    /// <param name="messages">The messages as a model receives them.</param>
    /// <param name="maxMatchingTurns">How many matching recent turns to keep.</param>
    /// <returns>The view.</returns>
    public static PromptView Inspect(IReadOnlyList<ChatMessage> messages, int maxMatchingTurns = 3)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var blocks = new List<PromptMemoryBlock>();
        var recent = new List<ChatMessage>();
        var instructions = 0;
        var questionIndex = -1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                questionIndex = i;
                break;
            }
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role == ChatRole.System)
            {
                if (message.Text.StartsWith(BlockPrefix, StringComparison.Ordinal))
                {
                    blocks.Add(ParseBlock(message.Text));
                }
                else
                {
                    instructions++;
                }
            }
            else if (i != questionIndex && (questionIndex < 0 || i < questionIndex))
            {
                recent.Add(message);
            }
        }

        var question = questionIndex >= 0 ? messages[questionIndex].Text : string.Empty;
        var words = ContentWords(question);
        var matching = words.Count == 0
            ? []
            : recent
                .Where(m => m.Role == ChatRole.User || m.Role == ChatRole.Assistant)
                .Select((m, position) => (Message: m, Position: position, Overlap: ContentWords(m.Text).Count(words.Contains)))
                .Where(x => x.Overlap > 0)
                .OrderByDescending(x => x.Overlap)
                .ThenByDescending(x => x.Position)
                .Take(maxMatchingTurns)
                .Select(x => x.Message)
                .ToList();
        return new PromptView(question, blocks, recent, matching, instructions);
    }

    /// <summary>Gets the lower-cased content words of a text (three letters or more, common words left out).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The distinct words.</returns>
    public static HashSet<string> ContentWords(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in WordRegex().Matches(text ?? string.Empty))
        {
            var word = match.Value.ToLowerInvariant();
            if (word.EndsWith("'s", StringComparison.Ordinal))
            {
                word = word[..^2];
            }

            if (word.Length >= 3 && !StopWords.Contains(word))
            {
                words.Add(word);
            }
        }

        return words;
    }

    private static PromptMemoryBlock ParseBlock(string text)
    {
        var end = text.IndexOf(']', StringComparison.Ordinal);
        var label = end > BlockPrefix.Length ? text[BlockPrefix.Length..end] : "Memory";
        var items = new List<PromptMemoryItem>();
        foreach (Match match in MemoryElementRegex().Matches(text))
        {
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match attribute in AttributeRegex().Matches(match.Groups["attrs"].Value))
            {
                attributes[attribute.Groups["k"].Value] = WebUtility.HtmlDecode(attribute.Groups["v"].Value);
            }

            items.Add(new PromptMemoryItem(
                attributes.GetValueOrDefault("id", string.Empty),
                attributes.GetValueOrDefault("source", string.Empty),
                attributes.GetValueOrDefault("date"),
                attributes.GetValueOrDefault("role"),
                attributes.GetValueOrDefault("relevance"),
                WebUtility.HtmlDecode(match.Groups["body"].Value.Trim())));
        }

        return new PromptMemoryBlock(label, items);
    }

    [GeneratedRegex(@"<memory\s(?<attrs>[^>]*)>\n?(?<body>.*?)\n?</memory>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex MemoryElementRegex();

    [GeneratedRegex("(?<k>[a-z_]+)=\"(?<v>[^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex AttributeRegex();

    [GeneratedRegex(@"[\p{L}\d][\p{L}\d'-]*", RegexOptions.CultureInvariant)]
    private static partial Regex WordRegex();
}
