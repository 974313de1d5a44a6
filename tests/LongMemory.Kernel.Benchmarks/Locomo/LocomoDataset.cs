using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>
/// Reads a LoCoMo-format JSON file: an array of samples, each with <c>conversation</c> (<c>speaker_a</c>,
/// <c>speaker_b</c>, <c>session_N</c> turn arrays and <c>session_N_date_time</c> strings) and <c>qa</c> (question,
/// evidence, category). Unknown fields are ignored; answers are not needed for retrieval and are not read.
/// </summary>
internal static partial class LocomoDataset
{
    // Caption fields seen in LoCoMo releases; the first present one is used. "query" (the image search query) is not
    // a caption of what was shared and is left out.
    private static readonly string[] CaptionFields = ["blip_caption", "img_caption", "image_caption", "caption"];

    private static readonly string[] DateFormats =
    [
        "h:mm tt 'on' d MMMM, yyyy",
        "h:mm tt 'on' d MMM, yyyy",
        "h:mm tt 'on' d MMMM yyyy",
        "h:mm tt 'on' MMMM d, yyyy",
    ];

    public static IReadOnlyList<LocomoConversation> Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: expected a JSON array of LoCoMo samples.");
        }

        var result = new List<LocomoConversation>();
        var index = 0;
        foreach (var sample in document.RootElement.EnumerateArray())
        {
            result.Add(ReadSample(sample, index++));
        }

        return result;
    }

    /// <summary>Parses LoCoMo's session time stamps such as <c>1:56 pm on 8 May, 2023</c> (read as UTC).</summary>
    public static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var normalized = WhiteSpace().Replace(text.Trim(), " ").ToUpperInvariant().Replace(" ON ", " on ", StringComparison.Ordinal);
        return DateTime.TryParseExact(normalized, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed)
            ? new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc))
            : DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out parsed)
                ? new DateTimeOffset(parsed)
                : null;
    }

    private static LocomoConversation ReadSample(JsonElement sample, int index)
    {
        var sampleId = sample.TryGetProperty("sample_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "sample-" + index.ToString(CultureInfo.InvariantCulture);
        if (!sample.TryGetProperty("conversation", out var conversation) || conversation.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"Sample {sampleId} has no 'conversation' object.");
        }

        var speakerA = StringOrNull(conversation, "speaker_a") ?? "Speaker A";
        var speakerB = StringOrNull(conversation, "speaker_b") ?? "Speaker B";

        var numbered = new List<(int Number, JsonElement Turns)>();
        foreach (var property in conversation.EnumerateObject())
        {
            var match = SessionKey().Match(property.Name);
            if (match.Success && property.Value.ValueKind == JsonValueKind.Array)
            {
                numbered.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), property.Value));
            }
        }

        // Sessions without a parsable date are placed a day after the previous one, so order and gaps stay plausible.
        var sessions = new List<LocomoSession>();
        DateTimeOffset? previous = null;
        foreach (var (number, turns) in numbered.OrderBy(n => n.Number))
        {
            var raw = StringOrNull(conversation, $"session_{number.ToString(CultureInfo.InvariantCulture)}_date_time");
            var date = ParseDate(raw) ?? previous?.AddDays(1) ?? new DateTimeOffset(2023, 1, 1, 12, 0, 0, TimeSpan.Zero);
            previous = date;
            var list = new List<LocomoTurn>();
            foreach (var turn in turns.EnumerateArray())
            {
                var diaId = StringOrNull(turn, "dia_id");
                if (diaId is null)
                {
                    continue;
                }

                var caption = CaptionFields.Select(f => CaptionOf(turn, f)).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
                list.Add(new LocomoTurn(StringOrNull(turn, "speaker") ?? speakerA, diaId.Trim(), StringOrNull(turn, "text") ?? string.Empty, caption));
            }

            sessions.Add(new LocomoSession(number, date, raw, list));
        }

        var questions = new List<LocomoQuestion>();
        if (sample.TryGetProperty("qa", out var qa) && qa.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in qa.EnumerateArray())
            {
                var question = StringOrNull(item, "question");
                if (string.IsNullOrWhiteSpace(question))
                {
                    continue;
                }

                var category = item.TryGetProperty("category", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
                var evidence = new List<string>();
                if (item.TryGetProperty("evidence", out var e))
                {
                    if (e.ValueKind == JsonValueKind.Array)
                    {
                        evidence.AddRange(e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!));
                    }
                    else if (e.ValueKind == JsonValueKind.String)
                    {
                        evidence.Add(e.GetString()!);
                    }
                }

                questions.Add(new LocomoQuestion(question, category, evidence));
            }
        }

        return new LocomoConversation(sampleId, speakerA, speakerB, sessions, questions);
    }

    private static string? CaptionOf(JsonElement turn, string field)
    {
        if (!turn.TryGetProperty(field, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString())),
            _ => null,
        };
    }

    private static string? StringOrNull(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^session_(\d+)$")]
    private static partial Regex SessionKey();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
