using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// An offline, deterministic summarizer: it keeps the most informative sentences (names, numbers and dates, facts the
/// user states about themselves, decisions, open questions) within the token bound, in their original order.
/// </summary>
/// <remarks>
/// It needs no model, so it is the default when none is configured and the fallback when the model fails. It selects,
/// it does not rewrite: the summary is always made of the conversation's own words.
/// </remarks>
public sealed partial class ExtractiveSummarizer : ISummarizer
{
    private readonly ITokenCounter _tokenCounter;

    /// <summary>Initializes a new instance of the <see cref="ExtractiveSummarizer"/> class.</summary>
    /// <param name="tokenCounter">The counter that enforces the length bound.</param>
    public ExtractiveSummarizer(ITokenCounter tokenCounter)
    {
        _tokenCounter = Throw.IfNull(tokenCounter);
    }

    /// <inheritdoc />
    public Task<string> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(request);
        Throw.IfLessThan(request.MaxTokens, 1);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Summarize(request));
    }

    private string Summarize(SummarizationRequest request)
    {
        var candidates = new List<Candidate>();
        if (request.Messages.Count > 0)
        {
            foreach (var message in request.Messages)
            {
                if (message.Role == ChatRole.System)
                {
                    continue;
                }

                var speaker = TranscriptFormatter.Speaker(message.Role);
                foreach (var sentence in SplitSentences(TranscriptFormatter.Body(message)))
                {
                    candidates.Add(new Candidate(candidates.Count, $"{speaker}: {sentence}", Score(sentence, message.Role)));
                }
            }
        }

        foreach (var child in request.ChildSummaries)
        {
            foreach (var line in child.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // Child summaries written by this class are "Speaker: sentence" lines; keep them whole.
                var speakerEnd = line.IndexOf(": ", StringComparison.Ordinal);
                var role = speakerEnd > 0 && line.StartsWith("User", StringComparison.Ordinal) ? ChatRole.User : ChatRole.Assistant;
                var hasSpeaker = speakerEnd is > 0 and < 10;
                var body = hasSpeaker ? line[(speakerEnd + 2)..] : line;
                foreach (var sentence in SplitSentences(body))
                {
                    var text = hasSpeaker ? $"{line[..speakerEnd]}: {sentence}" : sentence;
                    candidates.Add(new Candidate(candidates.Count, text, Score(sentence, role)));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return "(nothing to summarize)";
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ranked = candidates
            .Where(c => seen.Add(c.Text))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Text.Length)
            .ThenBy(c => c.Order)
            .ToList();

        var chosen = new List<Candidate>();
        var estimate = 0;
        foreach (var candidate in ranked)
        {
            var tokens = _tokenCounter.CountTokens(candidate.Text) + 1;
            if (estimate + tokens > request.MaxTokens)
            {
                continue;
            }

            chosen.Add(candidate);
            estimate += tokens;
        }

        // The per-line estimate can differ from the count of the joined text: verify, dropping the weakest lines.
        var result = Join(chosen);
        while (chosen.Count > 0 && _tokenCounter.CountTokens(result) > request.MaxTokens)
        {
            chosen.Remove(chosen.OrderBy(c => c.Score).ThenByDescending(c => c.Order).First());
            result = Join(chosen);
        }

        return chosen.Count > 0 ? result : TextTruncation.Truncate(ranked[0].Text, request.MaxTokens, _tokenCounter);
    }

    private static string Join(List<Candidate> chosen) => string.Join('\n', chosen.OrderBy(c => c.Order).Select(c => c.Text));

    private static IEnumerable<string> SplitSentences(string text)
    {
        foreach (var part in SentenceSplitRegex().Split(text))
        {
            var sentence = part.Trim();
            if (sentence.Length > 0)
            {
                yield return sentence;
            }
        }
    }

    internal static double Score(string sentence, ChatRole role)
    {
        var score = 0.0;
        var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (NumberRegex().IsMatch(sentence))
        {
            score += 2;
        }

        if (DateWordRegex().IsMatch(sentence))
        {
            score += 1.5;
        }

        // Capitalized words after the first are likely names of people, places or products.
        var names = 0;
        for (var i = 1; i < words.Length; i++)
        {
            var word = words[i].Trim('"', '\'', '(', ')', ',', '.', '!', '?', ':', ';');
            if (word.Length > 1 && char.IsUpper(word[0]) && word != "I" && !word.StartsWith("I'", StringComparison.Ordinal))
            {
                names++;
            }
        }

        score += Math.Min(names, 3);

        if (role == ChatRole.User && FirstPersonFactRegex().IsMatch(sentence))
        {
            score += 2;
        }

        if (sentence.EndsWith('?'))
        {
            score += 1.5;
        }

        if (DecisionRegex().IsMatch(sentence))
        {
            score += 1.5;
        }

        if (role == ChatRole.User)
        {
            score += 0.5;
        }

        if (words.Length < 4)
        {
            score -= 1.5;
        }

        if (SmallTalkRegex().IsMatch(sentence))
        {
            score -= 2;
        }

        return score;
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=\S)|\n+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceSplitRegex();

    [GeneratedRegex(@"\d", RegexOptions.CultureInvariant)]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday|tonight|next week|last week|deadline)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DateWordRegex();

    [GeneratedRegex(@"\b(?:my|i'm|i am|i've|i have|i live|i work|i moved|i like|i love|i hate|i prefer|i need|i want)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FirstPersonFactRegex();

    [GeneratedRegex(@"\b(?:decided|decide|agreed|agree|will|going to|plan(?:ned|s)?|must|need to|should|booked|scheduled|confirmed|chose|choose|bought|ordered|cancel(?:led)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DecisionRegex();

    [GeneratedRegex(@"^(?:hi|hello|hey|thanks|thank you|ok(?:ay)?|sure|great|cool|bye|good (?:morning|night|evening))\b[\s!.,]*\S{0,20}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SmallTalkRegex();

    private sealed record Candidate(int Order, string Text, double Score);
}
