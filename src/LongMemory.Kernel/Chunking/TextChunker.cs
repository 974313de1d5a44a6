namespace LongMemory.Kernel;

/// <summary>
/// Cuts a text longer than <see cref="TextChunkerOptions.MaxChunkTokens"/> into chunks at sentence boundaries, falling
/// back to word boundaries for a sentence too long for one chunk, and to character boundaries for a word too long
/// (never inside a surrogate pair). The chunks, concatenated in order, are exactly the original text.
/// </summary>
/// <remarks>
/// Whitespace after a sentence or word stays with it, so no character is dropped or duplicated and
/// <see cref="Reassemble"/> gives the original back. Chunks do not overlap. Without an <see cref="ITokenCounter"/>, sizes
/// are estimated at four characters per token.
/// </remarks>
public sealed class TextChunker
{
    private static readonly char[] ClosingMarks = ['"', '\'', ')', ']', '}', '\u201D', '\u2019', '\u00BB', '\u300D', '\u300F', '\uFF09'];
    private readonly Func<string, int> _countTokens;
    private readonly int _maxTokens;

    /// <summary>Initializes a new instance of the <see cref="TextChunker"/> class that estimates tokens as characters / 4.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public TextChunker(TextChunkerOptions? options = null)
        : this(EstimateTokens, options)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="TextChunker"/> class that sizes chunks with a token counter.</summary>
    /// <param name="tokenCounter">The token counter of the model the chunks are for.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public TextChunker(ITokenCounter tokenCounter, TextChunkerOptions? options = null)
        : this(Throw.IfNull(tokenCounter).CountTokens, options)
    {
    }

    internal TextChunker(Func<string, int> countTokens, TextChunkerOptions? options)
    {
        _countTokens = Throw.IfNull(countTokens);
        options ??= new TextChunkerOptions();
        options.Validate();
        _maxTokens = options.MaxChunkTokens;
    }

    /// <summary>Gets the largest chunk in tokens.</summary>
    public int MaxChunkTokens => _maxTokens;

    /// <summary>Cuts a text into chunks.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The chunks in order: one for a text that fits, none for an empty text.</returns>
    public IReadOnlyList<TextChunk> Chunk(string text)
    {
        Throw.IfNull(text);
        if (text.Length == 0)
        {
            return [];
        }

        var total = _countTokens(text);
        if (total <= _maxTokens)
        {
            return [new TextChunk(0, 0, text, total)];
        }

        var chunks = new List<TextChunk>();
        var chunkStart = 0;
        var chunkEnd = 0;
        var chunkTokens = 0;
        foreach (var (start, length, tokens, startsLongSentence) in Pieces(text))
        {
            // A sentence too long for a chunk starts a chunk of its own, so chunks stay aligned with sentences where they can.
            if (chunkEnd > chunkStart && (startsLongSentence || chunkTokens + tokens > _maxTokens))
            {
                Emit(text, chunkStart, chunkEnd, chunks);
                chunkStart = chunkEnd;
                chunkTokens = 0;
            }

            chunkEnd = start + length;
            chunkTokens += tokens;
        }

        if (chunkEnd > chunkStart)
        {
            Emit(text, chunkStart, chunkEnd, chunks);
        }

        return chunks;
    }

    /// <summary>Joins chunks back into the original text.</summary>
    /// <param name="chunks">All chunks of one text, in any order.</param>
    /// <returns>The original text.</returns>
    /// <exception cref="ArgumentException">A chunk is missing, repeated or out of place.</exception>
    public static string Reassemble(IEnumerable<TextChunk> chunks)
    {
        Throw.IfNull(chunks);
        var builder = new System.Text.StringBuilder();
        var expectedIndex = 0;
        foreach (var chunk in chunks.OrderBy(c => c.Index))
        {
            if (chunk.Index != expectedIndex++ || chunk.Start != builder.Length)
            {
                throw new ArgumentException(
                    $"Chunk {chunk.Index} starts at {chunk.Start} but {builder.Length} characters precede it: a chunk is missing or repeated.", nameof(chunks));
            }

            builder.Append(chunk.Text);
        }

        return builder.ToString();
    }

    internal static int EstimateTokens(string text) => (text.Length + 3) / 4;

    private void Emit(string text, int start, int end, List<TextChunk> chunks)
    {
        var chunkText = text[start..end];
        chunks.Add(new TextChunk(chunks.Count, start, chunkText, _countTokens(chunkText)));
    }

    // Pieces no larger than the maximum: sentences, or the words of a sentence too long, or character runs of a word too long.
    private IEnumerable<(int Start, int Length, int Tokens, bool StartsLongSentence)> Pieces(string text)
    {
        foreach (var (start, length) in Sentences(text))
        {
            var tokens = _countTokens(text.Substring(start, length));
            if (tokens <= _maxTokens)
            {
                yield return (start, length, tokens, false);
                continue;
            }

            var first = true;
            foreach (var (wordStart, wordLength) in Words(text, start, length))
            {
                var wordTokens = _countTokens(text.Substring(wordStart, wordLength));
                if (wordTokens <= _maxTokens)
                {
                    yield return (wordStart, wordLength, wordTokens, first);
                    first = false;
                    continue;
                }

                foreach (var (runStart, runLength, runTokens) in CharacterRuns(text, wordStart, wordLength))
                {
                    yield return (runStart, runLength, runTokens, first);
                    first = false;
                }
            }
        }
    }

    private static IEnumerable<(int Start, int Length)> Sentences(string text)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i++];
            var boundary = false;
            if (c == '\n')
            {
                boundary = true;
            }
            else if (c is '.' or '!' or '?' or '\u2026')
            {
                while (i < text.Length && (text[i] is '.' or '!' or '?' or '\u2026' || Array.IndexOf(ClosingMarks, text[i]) >= 0))
                {
                    i++;
                }

                boundary = i == text.Length || char.IsWhiteSpace(text[i]);
            }
            else if (c is '\u3002' or '\uFF01' or '\uFF1F')
            {
                while (i < text.Length && Array.IndexOf(ClosingMarks, text[i]) >= 0)
                {
                    i++;
                }

                boundary = true;
            }

            if (boundary)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                yield return (start, i - start);
                start = i;
            }
        }

        if (start < text.Length)
        {
            yield return (start, text.Length - start);
        }
    }

    private static IEnumerable<(int Start, int Length)> Words(string text, int start, int length)
    {
        var end = start + length;
        var i = start;
        var wordStart = start;
        while (i < end)
        {
            while (i < end && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            while (i < end && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            yield return (wordStart, i - wordStart);
            wordStart = i;
        }
    }

    private IEnumerable<(int Start, int Length, int Tokens)> CharacterRuns(string text, int start, int length)
    {
        var end = start + length;
        var position = start;
        while (position < end)
        {
            var remaining = end - position;

            // Grow a guess until it no longer fits, then binary-search the longest run that fits.
            var fits = 0;
            var fitsTokens = 0;
            var tooLong = remaining + 1;
            var guess = Math.Min(remaining, Math.Max(1, _maxTokens * 4));
            while (true)
            {
                var tokens = _countTokens(text.Substring(position, guess));
                if (tokens <= _maxTokens)
                {
                    (fits, fitsTokens) = (guess, tokens);
                    if (guess == remaining)
                    {
                        break;
                    }

                    guess = Math.Min(remaining, guess * 2);
                }
                else
                {
                    tooLong = guess;
                    break;
                }
            }

            while (tooLong - fits > 1 && fits < remaining)
            {
                var middle = fits + ((tooLong - fits) / 2);
                var tokens = _countTokens(text.Substring(position, middle));
                if (tokens <= _maxTokens)
                {
                    (fits, fitsTokens) = (middle, tokens);
                }
                else
                {
                    tooLong = middle;
                }
            }

            // A single character over the limit still has to go somewhere: take it alone.
            var take = Math.Max(1, fits);
            if (position + take < end && char.IsHighSurrogate(text[position + take - 1]) && char.IsLowSurrogate(text[position + take]))
            {
                take = take > 1 ? take - 1 : 2;
            }

            var pieceTokens = take == fits ? fitsTokens : _countTokens(text.Substring(position, take));
            yield return (position, take, pieceTokens);
            position += take;
        }
    }
}
