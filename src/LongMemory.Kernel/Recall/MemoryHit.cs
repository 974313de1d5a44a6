namespace LongMemory.Kernel;

/// <summary>A scored search result.</summary>
/// <param name="Item">The item.</param>
/// <param name="Score">
/// The fused score, 0..1: the weighted reciprocal-rank-fusion score divided by its maximum (an item ranked first by
/// every ranking that ran scores 1).
/// </param>
/// <param name="KeywordRank">The 1-based rank in the keyword ranking, or <see langword="null"/> when it was not found by keywords.</param>
/// <param name="VectorSimilarity">The cosine similarity to the query vector, or <see langword="null"/> when no vector search ran.</param>
public sealed record MemoryHit(MemoryItem Item, double Score, int? KeywordRank, double? VectorSimilarity);
