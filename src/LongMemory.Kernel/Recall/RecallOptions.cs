namespace LongMemory.Kernel;

/// <summary>What <see cref="ScopedMemory.RecallAsync"/> searches and how it ranks.</summary>
public sealed class RecallOptions
{
    /// <summary>Gets or sets the collections to search.</summary>
    /// <value>Default: the conversation log only.</value>
    public IReadOnlyList<string> Collections { get; set; } = [MemoryCollections.Logs];

    /// <summary>Gets or sets the number of hits.</summary>
    /// <value>Default 10.</value>
    public int TopK { get; set; } = 10;

    /// <summary>Gets or sets the minimum fused score (0..1, before the session boost).</summary>
    /// <value>Default 0.</value>
    public double MinScore { get; set; }

    /// <summary>Gets or sets a value indicating whether the user's other sessions are searched too (only for scopes with a user).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool AcrossSessions { get; set; } = true;

    /// <summary>Gets or sets how many neighbouring turns on each side of a message hit are returned with it.</summary>
    /// <value>Default 0.</value>
    public int NeighborTurns { get; set; }

    /// <summary>Gets or sets message ids whose hits are left out (for example the recent window already in the prompt).</summary>
    public IReadOnlyCollection<long>? ExcludeMessageIds { get; set; }

    /// <summary>Gets or sets the weight of the keyword ranking in the fusion.</summary>
    /// <value>Default 1.</value>
    public double KeywordWeight { get; set; } = 1.0;

    /// <summary>Gets or sets the weight of the vector ranking in the fusion.</summary>
    /// <value>
    /// Default <see langword="null"/>: <see cref="ChatMemory.DefaultVectorWeight"/> (automatic: low for the offline
    /// hashing embedder, 1 for a real embedding model; see <see cref="ChatMemoryOptions.DefaultVectorWeight"/>).
    /// </value>
    public double? VectorWeight { get; set; }
}
