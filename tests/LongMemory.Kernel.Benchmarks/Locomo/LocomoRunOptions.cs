namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>How a LoCoMo run ingests and recalls; the defaults are the library's defaults.</summary>
internal sealed record LocomoRunOptions
{
    public IReadOnlyList<int> Ks { get; init; } = [5, 10, 20];

    /// <summary>Gets the fusion weight of keyword search (null: the library default).</summary>
    public double? KeywordWeight { get; init; }

    /// <summary>Gets the fusion weight of vector search (null: the library default).</summary>
    public double? VectorWeight { get; init; }

    /// <summary>Gets the neighbouring turns requested per hit (null: the library default); they count as retrieved turns right after their hit.</summary>
    public int? NeighborTurns { get; init; }

    /// <summary>Gets a value indicating whether the session date is written into each message text (an experiment).</summary>
    public bool DateInText { get; init; }

    /// <summary>Gets the hashing embedder options (null: the library default embedder).</summary>
    public HashingEmbeddingGeneratorOptions? Embedder { get; init; }

    public int MaxK => Ks.Max();

    /// <summary>Gets a value indicating whether recall runs exactly as context assembly runs it (no fusion or neighbour override).</summary>
    public bool UsesLibraryRecall => KeywordWeight is null && VectorWeight is null && NeighborTurns is null;
}
