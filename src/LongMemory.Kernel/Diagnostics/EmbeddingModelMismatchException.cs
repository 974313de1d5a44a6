namespace LongMemory.Kernel;

/// <summary>
/// Vectors from an embedding model (or dimension) other than the one a memory index was built with were offered.
/// Mixing them would make similarity scores meaningless, so the index refuses them.
/// </summary>
public sealed class EmbeddingModelMismatchException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="EmbeddingModelMismatchException"/> class.</summary>
    /// <param name="expectedModelId">The model id the index was built with.</param>
    /// <param name="expectedDimensions">The vector size the index was built with.</param>
    /// <param name="actualModelId">The model id offered now.</param>
    /// <param name="actualDimensions">The vector size offered now.</param>
    public EmbeddingModelMismatchException(string expectedModelId, int expectedDimensions, string actualModelId, int actualDimensions)
        : base($"The memory index was built with embedding model '{expectedModelId}' ({expectedDimensions} dimensions) but " +
               $"'{actualModelId}' ({actualDimensions} dimensions) was offered. Re-index with one model, or use a separate database.")
    {
        ExpectedModelId = expectedModelId;
        ExpectedDimensions = expectedDimensions;
        ActualModelId = actualModelId;
        ActualDimensions = actualDimensions;
    }

    /// <summary>Gets the model id the index was built with.</summary>
    public string ExpectedModelId { get; }

    /// <summary>Gets the vector size the index was built with.</summary>
    public int ExpectedDimensions { get; }

    /// <summary>Gets the model id that was offered.</summary>
    public string ActualModelId { get; }

    /// <summary>Gets the vector size that was offered.</summary>
    public int ActualDimensions { get; }
}
