namespace LongMemory.Kernel;

/// <summary>How the prompt is assembled each turn: the token budget, the block shares and the relevance gates.</summary>
public sealed class ContextOptions
{
    /// <summary>Gets or sets the model's context window in tokens.</summary>
    /// <value>Default 8,192.</value>
    public int MaxContextTokens { get; set; } = 8192;

    /// <summary>Gets or sets the tokens reserved for the model's answer.</summary>
    /// <value>Default 1,024.</value>
    public int ReservedOutputTokens { get; set; } = 1024;

    /// <summary>Gets or sets the instructions placed first (after the app's own system messages).</summary>
    /// <value>Default <see langword="null"/>: only the app's system messages and the memory notice.</value>
    public string? Instructions { get; set; }

    /// <summary>Gets or sets the share of the budget offered to the knowledge block.</summary>
    /// <value>Default 0.08.</value>
    public double KnowledgeShare { get; set; } = 0.08;

    /// <summary>Gets or sets the share of the budget offered to the model memory block.</summary>
    /// <value>Default 0.08.</value>
    public double ModelMemoryShare { get; set; } = 0.08;

    /// <summary>Gets or sets the share of the budget offered to relevant past conversation.</summary>
    /// <value>Default 0.2.</value>
    public double PastConversationShare { get; set; } = 0.2;

    /// <summary>Gets or sets the share of the budget offered to document context.</summary>
    /// <value>Default 0.12.</value>
    public double DocumentShare { get; set; } = 0.12;

    /// <summary>Gets or sets the share of the budget offered to the running summary.</summary>
    /// <value>Default 0.15.</value>
    public double SummaryShare { get; set; } = 0.15;

    /// <summary>Gets or sets the share of the budget offered to restored messages.</summary>
    /// <value>Default 0.07.</value>
    public double RestoredShare { get; set; } = 0.07;

    /// <summary>Gets or sets the share of the budget offered to recent turns. Budget a block does not use passes on to the others.</summary>
    /// <value>Default 0.3.</value>
    public double RecentShare { get; set; } = 0.3;

    /// <summary>Gets or sets how many knowledge entries may be included.</summary>
    /// <value>Default 5.</value>
    public int KnowledgeTopK { get; set; } = 5;

    /// <summary>Gets or sets the minimum relevance (fused score, 0..1) of a knowledge entry.</summary>
    /// <value>Default 0.3.</value>
    public double KnowledgeMinScore { get; set; } = 0.3;

    /// <summary>Gets or sets how many model memory items may be included.</summary>
    /// <value>Default 8.</value>
    public int ModelMemoryTopK { get; set; } = 8;

    /// <summary>Gets or sets how many past-conversation hits may be included.</summary>
    /// <value>Default 8.</value>
    public int PastConversationTopK { get; set; } = 8;

    /// <summary>Gets or sets how many document chunks may be included.</summary>
    /// <value>Default 5.</value>
    public int DocumentTopK { get; set; } = 5;

    /// <summary>
    /// Gets or sets the minimum relevance (fused score, 0..1) of recalled model memory, past conversation and documents.
    /// For an item only the vector ranking found, the threshold is scaled by <c>min(1, 2w / (1 + w))</c>, where w is
    /// <see cref="ChatMemory.DefaultVectorWeight"/>, so that a low vector weight does not shut such items out entirely.
    /// </summary>
    /// <value>Default 0.2.</value>
    public double MinRelevance { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets the cosine similarity at which a recalled item counts as relevant on meaning alone; items below it
    /// must also share a content word (not a stop word) with the message. Rank-fused scores say how an item ranks, not
    /// whether it is relevant at all, so this absolute check keeps a lone unrelated item out of the prompt.
    /// </summary>
    /// <value>Default 0.15, which suits the offline hashing embedder; neural embedders usually need 0.3 to 0.5.</value>
    public double MinSimilarity { get; set; } = 0.15;

    /// <summary>
    /// Gets or sets how many neighbouring turns on each side of a past-conversation hit are included with it. A hit such
    /// as "Yes, last Saturday!" means little without the turn it answers; on LoCoMo-dev one neighbour raises the evidence
    /// found in the same number of retrieved turns (recall@10 0.57 to 0.64). Each hit then costs about three messages of
    /// the past-conversation share; set 0 to spend it on more, separate hits.
    /// </summary>
    /// <value>Default 1.</value>
    public int NeighborTurns { get; set; } = 1;

    /// <summary>
    /// Gets or sets the token estimates of non-text contents (images, files), counted into the budget: the token counters
    /// count text only.
    /// </summary>
    public NonTextContentTokens NonTextContent { get; set; } = new();

    /// <summary>Gets the tokens available for the prompt.</summary>
    public int PromptBudget => MaxContextTokens - ReservedOutputTokens;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Throw.IfLessThan(MaxContextTokens, 256, nameof(MaxContextTokens));
        Throw.IfLessThan(ReservedOutputTokens, 0, nameof(ReservedOutputTokens));
        if (ReservedOutputTokens >= MaxContextTokens / 2 + MaxContextTokens / 4)
        {
            throw new ArgumentException($"ReservedOutputTokens ({ReservedOutputTokens}) leaves too little of MaxContextTokens ({MaxContextTokens}) for the prompt.", nameof(ReservedOutputTokens));
        }

        foreach (var (name, share) in new[]
        {
            (nameof(KnowledgeShare), KnowledgeShare), (nameof(ModelMemoryShare), ModelMemoryShare),
            (nameof(PastConversationShare), PastConversationShare), (nameof(DocumentShare), DocumentShare),
            (nameof(SummaryShare), SummaryShare), (nameof(RestoredShare), RestoredShare), (nameof(RecentShare), RecentShare),
        })
        {
            Throw.IfOutOfRange(share, 0, 1, name);
        }

        var total = KnowledgeShare + ModelMemoryShare + PastConversationShare + DocumentShare + SummaryShare + RestoredShare + RecentShare;
        if (total > 1.0001)
        {
            throw new ArgumentException($"The block shares add up to {total:0.###}; they must not exceed 1.", nameof(RecentShare));
        }

        Throw.IfLessThan(KnowledgeTopK, 0, nameof(KnowledgeTopK));
        Throw.IfLessThan(ModelMemoryTopK, 0, nameof(ModelMemoryTopK));
        Throw.IfLessThan(PastConversationTopK, 0, nameof(PastConversationTopK));
        Throw.IfLessThan(DocumentTopK, 0, nameof(DocumentTopK));
        Throw.IfLessThan(NeighborTurns, 0, nameof(NeighborTurns));
        Throw.IfOutOfRange(KnowledgeMinScore, 0, 1, nameof(KnowledgeMinScore));
        Throw.IfOutOfRange(MinRelevance, 0, 1, nameof(MinRelevance));
        Throw.IfOutOfRange(MinSimilarity, -1, 1, nameof(MinSimilarity));
        Throw.IfNull(NonTextContent, nameof(NonTextContent)).Validate();
    }
}
