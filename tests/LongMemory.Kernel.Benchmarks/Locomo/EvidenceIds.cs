using System.Globalization;
using System.Text.RegularExpressions;

namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>
/// Repairs LoCoMo's evidence ids to the canonical <c>D{session}:{turn}</c> form: several ids in one string
/// (<c>"D8:6; D9:17"</c>), a stray colon (<c>"D:11:26"</c>) and leading zeros (<c>"D30:05"</c>).
/// </summary>
internal static partial class EvidenceIds
{
    /// <summary>Splits and normalizes one raw evidence string; parts that are not dialogue ids are returned in <paramref name="unparsable"/>.</summary>
    public static IReadOnlyList<string> Normalize(string raw, List<string>? unparsable = null)
    {
        var result = new List<string>();
        foreach (var part in Separators().Split(raw))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var match = DialogueId().Match(part);
            if (match.Success)
            {
                var session = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                var turn = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                result.Add(string.Create(CultureInfo.InvariantCulture, $"D{session}:{turn}"));
            }
            else
            {
                unparsable?.Add(part);
            }
        }

        return result;
    }

    [GeneratedRegex(@"[\s;,]+")]
    private static partial Regex Separators();

    [GeneratedRegex(@"^D:?0*(\d+):0*(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex DialogueId();
}
