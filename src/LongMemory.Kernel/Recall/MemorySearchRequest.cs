namespace LongMemory.Kernel;

/// <summary>A hybrid (keyword + vector) search of a memory index.</summary>
public sealed class MemorySearchRequest
{
    /// <summary>Initializes a new instance of the <see cref="MemorySearchRequest"/> class.</summary>
    /// <param name="filter">The scope and filters.</param>
    public MemorySearchRequest(MemoryFilter filter)
    {
        Filter = Throw.IfNull(filter);
    }

    /// <summary>Gets the scope and filters.</summary>
    public MemoryFilter Filter { get; }

    /// <summary>Gets or sets the query text for keyword (BM25) search. Any text is accepted; it is never parsed as query syntax.</summary>
    public string? QueryText { get; init; }

    /// <summary>Gets or sets the query vector for cosine search.</summary>
    public ReadOnlyMemory<float> QueryVector { get; init; }

    /// <summary>Gets or sets the number of hits to return.</summary>
    /// <value>Default 10.</value>
    public int Top { get; init; } = 10;

    /// <summary>Gets or sets the minimum fused score (0..1) of a hit.</summary>
    /// <value>Default 0.</value>
    public double MinScore { get; init; }

    /// <summary>Gets or sets the reciprocal-rank-fusion constant k.</summary>
    /// <value>Default 60.</value>
    public int RrfK { get; init; } = 60;

    /// <summary>Gets or sets the weight of the keyword ranking in the fusion.</summary>
    /// <value>Default 1.</value>
    public double KeywordWeight { get; init; } = 1.0;

    /// <summary>Gets or sets the weight of the vector ranking in the fusion.</summary>
    /// <value>Default 1.</value>
    public double VectorWeight { get; init; } = 1.0;

    /// <summary>Gets or sets how many candidates each ranking contributes before fusion, as a multiple of <see cref="Top"/>.</summary>
    /// <value>Default 4.</value>
    public int CandidateMultiplier { get; init; } = 4;
}
