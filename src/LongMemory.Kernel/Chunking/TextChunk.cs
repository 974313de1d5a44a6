namespace LongMemory.Kernel;

/// <summary>One piece of a text cut by <see cref="TextChunker"/>.</summary>
/// <param name="Index">The 0-based position among the chunks of the text (the <c>chunk_index</c> of an index item).</param>
/// <param name="Start">The offset of the chunk in the original text, in UTF-16 code units.</param>
/// <param name="Text">The chunk's text, exactly as in the original (whitespace included).</param>
/// <param name="TokenCount">The tokens of <paramref name="Text"/> as the chunker's counter counts them.</param>
public sealed record TextChunk(int Index, int Start, string Text, int TokenCount)
{
    /// <summary>Gets the length of the chunk in UTF-16 code units.</summary>
    public int Length => Text.Length;
}
