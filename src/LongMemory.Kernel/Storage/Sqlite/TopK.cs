namespace LongMemory.Kernel;

/// <summary>Keeps the k best (row id, similarity) pairs with a min-heap: O(n log k), no full sort.</summary>
internal sealed class TopK
{
    private readonly PriorityQueue<long, float> _heap;
    private readonly int _k;

    public TopK(int k)
    {
        _k = k;
        _heap = new PriorityQueue<long, float>(Math.Min(k, 1024));
    }

    public void Offer(long rowId, float similarity)
    {
        if (_heap.Count < _k)
        {
            _heap.Enqueue(rowId, similarity);
        }
        else if (_heap.TryPeek(out _, out var worst) && similarity > worst)
        {
            _heap.DequeueEnqueue(rowId, similarity);
        }
    }

    /// <summary>Drains the heap, best first.</summary>
    public List<KeyValuePair<long, double>> ToRanking()
    {
        var ranking = new List<KeyValuePair<long, double>>(_heap.Count);
        while (_heap.TryDequeue(out var rowId, out var similarity))
        {
            ranking.Add(new KeyValuePair<long, double>(rowId, similarity));
        }

        ranking.Reverse();
        return ranking;
    }
}
