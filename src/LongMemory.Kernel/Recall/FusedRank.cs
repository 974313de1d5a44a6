namespace LongMemory.Kernel;

/// <summary>One candidate after reciprocal-rank fusion, before the backend loads its item.</summary>
/// <typeparam name="TKey">The backend's key of an item (a row id, a point id).</typeparam>
/// <param name="Key">The item key.</param>
/// <param name="Score">The normalized fused score, 0..1 (see <see cref="MemoryHit.Score"/>).</param>
/// <param name="KeywordRank">The 1-based keyword rank, or <see langword="null"/> when not found by keywords.</param>
/// <param name="VectorSimilarity">
/// The cosine similarity when the item was among the vector candidates; otherwise <see langword="null"/>, and the backend
/// fills it in for items that have a vector when the vector ranking ran.
/// </param>
public readonly record struct FusedRank<TKey>(TKey Key, double Score, int? KeywordRank, double? VectorSimilarity);
