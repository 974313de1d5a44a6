namespace LongMemory.Kernel;

/// <summary>Options of the <see cref="TextChunker"/>. Validated when the chunker is created.</summary>
public sealed class TextChunkerOptions
{
    /// <summary>The default chunk size in tokens.</summary>
    public const int DefaultMaxChunkTokens = 256;

    /// <summary>Gets or sets the largest chunk, in tokens of the chunker's counter (at least 1).</summary>
    /// <value>Default 256: small enough for an embedding model's input, large enough to keep a thought together.</value>
    public int MaxChunkTokens { get; set; } = DefaultMaxChunkTokens;

    internal void Validate()
    {
        if (MaxChunkTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxChunkTokens), MaxChunkTokens, "MaxChunkTokens must be at least 1.");
        }
    }
}
