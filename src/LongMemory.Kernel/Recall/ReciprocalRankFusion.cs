namespace LongMemory.Kernel;

/// <summary>
/// Weighted reciprocal-rank fusion of a keyword ranking and a vector ranking, shared by every <see cref="IMemoryIndex"/>
/// so that scores mean the same on every backend.
/// </summary>
/// <remarks>
/// An item's raw score is the sum over the rankings that ran of <c>weight / (k + rank)</c>; it is divided by the largest
/// possible raw score (every ranking that ran put the item first), so scores are 0..1 and comparable across requests,
/// which is what <see cref="MemorySearchRequest.MinScore"/> thresholds. A ranking "runs" when it had input (at least
/// one keyword term, a non-empty query vector) and a positive weight, even if it found nothing: an item found by only
/// one of two equally weighted rankings therefore scores at most 0.5.
/// </remarks>
public static class ReciprocalRankFusion
{
    /// <summary>Gets how many candidates each ranking should contribute: <c>Top × CandidateMultiplier</c>, capped.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The candidate count.</returns>
    public static int CandidateCount(MemorySearchRequest request)
    {
        Throw.IfNull(request);
        return (int)Math.Min(100_000L, (long)request.Top * request.CandidateMultiplier);
    }

    /// <summary>Fuses the rankings, applies <see cref="MemorySearchRequest.MinScore"/> and keeps the best <see cref="MemorySearchRequest.Top"/>.</summary>
    /// <typeparam name="TKey">The backend's item key.</typeparam>
    /// <param name="request">The request (weights, k, minimum score, top).</param>
    /// <param name="keywordRanking">The keyword candidates, best first, or <see langword="null"/> when the keyword ranking did not run.</param>
    /// <param name="vectorRanking">The vector candidates with their cosine similarity, best first, or <see langword="null"/> when the vector ranking did not run.</param>
    /// <returns>The fused candidates, best first. Ties keep keyword order, then vector order.</returns>
    public static IReadOnlyList<FusedRank<TKey>> Fuse<TKey>(
        MemorySearchRequest request, IReadOnlyList<TKey>? keywordRanking, IReadOnlyList<KeyValuePair<TKey, double>>? vectorRanking)
        where TKey : notnull
    {
        Throw.IfNull(request);
        var keywordWeight = keywordRanking is null ? 0 : request.KeywordWeight;
        var vectorWeight = vectorRanking is null ? 0 : request.VectorWeight;
        var maximum = (keywordWeight + vectorWeight) / (request.RrfK + 1.0);
        if (maximum <= 0)
        {
            return [];
        }

        var candidates = new Dictionary<TKey, (double Raw, int? KeywordRank, double? Similarity, int Order)>();
        if (keywordWeight > 0)
        {
            for (var i = 0; i < keywordRanking!.Count; i++)
            {
                var key = keywordRanking[i];
                if (!candidates.ContainsKey(key))
                {
                    candidates[key] = (keywordWeight / (request.RrfK + i + 1.0), i + 1, null, candidates.Count);
                }
            }
        }

        if (vectorWeight > 0)
        {
            for (var i = 0; i < vectorRanking!.Count; i++)
            {
                var (key, similarity) = (vectorRanking[i].Key, vectorRanking[i].Value);
                var contribution = vectorWeight / (request.RrfK + i + 1.0);
                if (candidates.TryGetValue(key, out var existing))
                {
                    if (existing.Similarity is null)
                    {
                        candidates[key] = (existing.Raw + contribution, existing.KeywordRank, similarity, existing.Order);
                    }
                }
                else
                {
                    candidates[key] = (contribution, null, similarity, candidates.Count);
                }
            }
        }

        var fused = new List<(FusedRank<TKey> Rank, int Order)>(candidates.Count);
        foreach (var (key, value) in candidates)
        {
            // Clamp: floating-point sums may exceed the maximum by an ulp.
            var score = Math.Min(1.0, value.Raw / maximum);
            if (score >= request.MinScore)
            {
                fused.Add((new FusedRank<TKey>(key, score, value.KeywordRank, value.Similarity), value.Order));
            }
        }

        fused.Sort(static (a, b) =>
        {
            var byScore = b.Rank.Score.CompareTo(a.Rank.Score);
            return byScore != 0 ? byScore : a.Order.CompareTo(b.Order);
        });

        var count = Math.Min(request.Top, fused.Count);
        var result = new FusedRank<TKey>[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = fused[i].Rank;
        }

        return result;
    }
}
