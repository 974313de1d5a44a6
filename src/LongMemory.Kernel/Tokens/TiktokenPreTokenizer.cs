using System.Globalization;
using System.Runtime.CompilerServices;

namespace LongMemory.Kernel;

/// <summary>Which tiktoken pre-tokenization pattern to apply.</summary>
internal enum TiktokenPattern
{
    /// <summary>cl100k_base, the pattern the Rust core runs (non-possessive form).</summary>
    Cl100k,

    /// <summary>o200k_base.</summary>
    O200k,
}

/// <summary>
/// Splits text into the pieces tiktoken's pre-tokenization regex would find, walking code points.
/// </summary>
/// <remarks>
/// A hand-written matcher rather than <see cref="System.Text.RegularExpressions.Regex"/>: .NET matches per UTF-16
/// code unit, so astral-plane letters and digits would be surrogates instead of <c>\p{L}</c>/<c>\p{N}</c>, and the
/// matcher is several times faster. Each alternative below is the exact backtracking outcome of the corresponding
/// regex alternative, tried in the regex's order (leftmost-first). Every code point is matched by some alternative,
/// so the pieces cover the text. Lone surrogates are treated as U+FFFD (a symbol), as Rust sees them.
/// <para>o200k_base:
/// <c>[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c> |
/// <c>[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?</c> |
/// <c>\p{N}{1,3}</c> | <c> ?[^\s\p{L}\p{N}]+[\r\n/]*</c> | <c>\s*[\r\n]+</c> | <c>\s+(?!\S)</c> | <c>\s+</c>.</para>
/// <para>cl100k_base: <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)</c> | <c>[^\r\n\p{L}\p{N}]?\p{L}+</c> | <c>\p{N}{1,3}</c> |
/// <c> ?[^\s\p{L}\p{N}]+[\r\n]*</c> | <c>\s*[\r\n]+</c> | <c>\s+(?!\S)</c> | <c>\s+</c>.</para>
/// </remarks>
internal static class TiktokenPreTokenizer
{
    // Character classes of one code point, as flags.
    private const byte Letter = 1;      // \p{L}
    private const byte Number = 2;      // \p{N}
    private const byte Space = 4;       // \s (Unicode White_Space, as in Rust's regex crate)
    private const byte CrLf = 8;        // \r or \n
    private const byte Upperish = 16;   // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
    private const byte Lowerish = 32;   // [\p{Ll}\p{Lm}\p{Lo}\p{M}]

    private static readonly byte[] AsciiClasses = BuildAsciiClasses();

    /// <summary>Returns the end (exclusive, in UTF-16 units) of the piece starting at <paramref name="start"/>.</summary>
    /// <param name="text">The whole text (look-ahead such as <c>(?!\S)</c> and <c>$</c> needs it).</param>
    /// <param name="start">The start of the piece; must be less than the text's length.</param>
    /// <param name="pattern">The encoding's pattern.</param>
    public static int NextPieceEnd(ReadOnlySpan<char> text, int start, TiktokenPattern pattern)
        => pattern == TiktokenPattern.O200k ? NextO200k(text, start) : NextCl100k(text, start);

    private static int NextO200k(ReadOnlySpan<char> text, int s)
    {
        var c0 = ClassAt(text, s, out var len0);
        var optionalPrefix = (c0 & (Letter | Number | CrLf)) == 0;
        var letterOrMark = (c0 & (Upperish | Lowerish)) != 0;

        // Alternative 1: [^\r\n\p{L}\p{N}]? Upperish* Lowerish+ contraction?
        int end;
        if (optionalPrefix && (end = UpperStarLowerPlus(text, s + len0)) >= 0)
        {
            return end;
        }

        if (letterOrMark && (end = UpperStarLowerPlus(text, s)) >= 0)
        {
            return end;
        }

        // Alternative 2: [^\r\n\p{L}\p{N}]? Upperish+ Lowerish* contraction?
        if (optionalPrefix && (end = UpperPlusLowerStar(text, s + len0)) >= 0)
        {
            return end;
        }

        if (letterOrMark && (end = UpperPlusLowerStar(text, s)) >= 0)
        {
            return end;
        }

        if ((c0 & Number) != 0)
        {
            return NumbersUpToThree(text, s, len0);
        }

        if (TryPunctuation(text, s, c0, allowSlash: true, out end))
        {
            return end;
        }

        return Whitespace(text, s);
    }

    private static int NextCl100k(ReadOnlySpan<char> text, int s)
    {
        // Alternative 1: (?i:'s|'t|'re|'ve|'m|'ll|'d)
        var contraction = ContractionLength(text, s);
        if (contraction > 0)
        {
            return s + contraction;
        }

        // Alternative 2: [^\r\n\p{L}\p{N}]?\p{L}+
        var c0 = ClassAt(text, s, out var len0);
        var letterStart = -1;
        if ((c0 & Letter) != 0)
        {
            letterStart = s;
        }
        else if ((c0 & (Number | CrLf)) == 0 && s + len0 < text.Length && (ClassAt(text, s + len0, out _) & Letter) != 0)
        {
            letterStart = s + len0;
        }

        if (letterStart >= 0)
        {
            var e = letterStart;
            while (e < text.Length)
            {
                if ((ClassAt(text, e, out var len) & Letter) == 0)
                {
                    break;
                }

                e += len;
            }

            return e;
        }

        if ((c0 & Number) != 0)
        {
            return NumbersUpToThree(text, s, len0);
        }

        if (TryPunctuation(text, s, c0, allowSlash: false, out var end))
        {
            return end;
        }

        return Whitespace(text, s);
    }

    // Upperish* Lowerish+ contraction? from pos; -1 when no Lowerish code point can be reached.
    private static int UpperStarLowerPlus(ReadOnlySpan<char> text, int pos)
    {
        // Upperish* is greedy; on failure it gives back code points until Lowerish+ can start, so Lowerish+ starts
        // at the end of the Upperish run if that code point is Lowerish, else at the last Lowerish inside the run.
        var k = pos;
        var lastLowerishInRun = -1;
        var cls = (byte)0;
        while (k < text.Length)
        {
            cls = ClassAt(text, k, out var len);
            if ((cls & Upperish) == 0)
            {
                break;
            }

            if ((cls & Lowerish) != 0)
            {
                lastLowerishInRun = k;
            }

            k += len;
        }

        int lowerStart;
        if (k < text.Length && (cls & Lowerish) != 0)
        {
            lowerStart = k;
        }
        else if (lastLowerishInRun >= 0)
        {
            lowerStart = lastLowerishInRun;
        }
        else
        {
            return -1;
        }

        var e = lowerStart;
        while (e < text.Length)
        {
            if ((ClassAt(text, e, out var len) & Lowerish) == 0)
            {
                break;
            }

            e += len;
        }

        return e + ContractionLength(text, e);
    }

    // Upperish+ Lowerish* contraction? from pos; -1 when pos does not start with an Upperish code point.
    private static int UpperPlusLowerStar(ReadOnlySpan<char> text, int pos)
    {
        var e = pos;
        while (e < text.Length)
        {
            if ((ClassAt(text, e, out var len) & Upperish) == 0)
            {
                break;
            }

            e += len;
        }

        if (e == pos)
        {
            return -1;
        }

        while (e < text.Length)
        {
            if ((ClassAt(text, e, out var len) & Lowerish) == 0)
            {
                break;
            }

            e += len;
        }

        return e + ContractionLength(text, e);
    }

    private static int NumbersUpToThree(ReadOnlySpan<char> text, int s, int len0)
    {
        var e = s + len0;
        for (var count = 1; count < 3 && e < text.Length; count++)
        {
            if ((ClassAt(text, e, out var len) & Number) == 0)
            {
                break;
            }

            e += len;
        }

        return e;
    }

    // " ?[^\s\p{L}\p{N}]+[\r\n]*" (o200k also takes '/' in the tail).
    private static bool TryPunctuation(ReadOnlySpan<char> text, int s, byte c0, bool allowSlash, out int end)
    {
        const byte NotPunctuation = Letter | Number | Space;
        int e;
        if (text[s] == ' ' && s + 1 < text.Length && (ClassAt(text, s + 1, out _) & NotPunctuation) == 0)
        {
            e = s + 1;
        }
        else if ((c0 & NotPunctuation) == 0)
        {
            e = s;
        }
        else
        {
            end = -1;
            return false;
        }

        while (e < text.Length)
        {
            if ((ClassAt(text, e, out var len) & NotPunctuation) != 0)
            {
                break;
            }

            e += len;
        }

        while (e < text.Length && (text[e] == '\r' || text[e] == '\n' || (allowSlash && text[e] == '/')))
        {
            e++;
        }

        end = e;
        return true;
    }

    // "\s*[\r\n]+ | \s+(?!\S) | \s+" at a whitespace code point (all White_Space code points are in the BMP).
    private static int Whitespace(ReadOnlySpan<char> text, int s)
    {
        var e = s;
        var lastNewline = -1;
        while (e < text.Length && IsWhiteSpace(text[e]))
        {
            if (text[e] is '\r' or '\n')
            {
                lastNewline = e;
            }

            e++;
        }

        if (lastNewline >= 0)
        {
            // \s* backtracks to the last line break, and [\r\n]+ then takes exactly that one.
            return lastNewline + 1;
        }

        if (e == text.Length || e - s == 1)
        {
            return e;
        }

        // \s+(?!\S) gives back the last whitespace so the next piece (" word") can take it.
        return e - 1;
    }

    // Length of (?i:'s|'t|'re|'ve|'m|'ll|'d) at pos, or 0. Case-insensitive matching in Rust uses Unicode simple
    // case folding, under which 's' also matches U+017F (LATIN SMALL LETTER LONG S).
    private static int ContractionLength(ReadOnlySpan<char> text, int pos)
    {
        if (pos + 1 >= text.Length || text[pos] != '\'')
        {
            return 0;
        }

        var c1 = text[pos + 1];
        switch (c1)
        {
            case 's' or 'S' or '\u017F' or 't' or 'T' or 'm' or 'M' or 'd' or 'D':
                return 2;
            case 'r' or 'R' or 'v' or 'V':
                return pos + 2 < text.Length && text[pos + 2] is 'e' or 'E' ? 3 : 0;
            case 'l' or 'L':
                return pos + 2 < text.Length && text[pos + 2] is 'l' or 'L' ? 3 : 0;
            default:
                return 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ClassAt(ReadOnlySpan<char> text, int index, out int length)
    {
        var ch = text[index];
        if (ch < 128)
        {
            length = 1;
            return AsciiClasses[ch];
        }

        return NonAsciiClassAt(text, index, out length);
    }

    private static byte NonAsciiClassAt(ReadOnlySpan<char> text, int index, out int length)
    {
        var ch = text[index];
        if (!char.IsSurrogate(ch))
        {
            length = 1;
            return IsWhiteSpace(ch) ? Space : FromCategory(CharUnicodeInfo.GetUnicodeCategory(ch));
        }

        if (char.IsHighSurrogate(ch) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return FromCategory(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(ch, text[index + 1])));
        }

        // A lone surrogate is U+FFFD REPLACEMENT CHARACTER (So) once the text is valid UTF-8.
        length = 1;
        return 0;
    }

    private static byte FromCategory(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => Letter | Upperish,
        UnicodeCategory.LowercaseLetter => Letter | Lowerish,
        UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter | Upperish | Lowerish,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Upperish | Lowerish,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
        _ => 0,
    };

    // Unicode White_Space, which is what \s means in Rust's regex crate (and in .NET, unlike JavaScript).
    private static bool IsWhiteSpace(char ch) => ch switch
    {
        >= '\t' and <= '\r' => true,
        ' ' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    private static byte[] BuildAsciiClasses()
    {
        var classes = new byte[128];
        for (var ch = 0; ch < 128; ch++)
        {
            var c = (char)ch;
            classes[ch] = IsWhiteSpace(c) ? Space : FromCategory(CharUnicodeInfo.GetUnicodeCategory(c));
        }

        classes['\r'] |= CrLf;
        classes['\n'] |= CrLf;
        return classes;
    }
}
