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

    /// <summary>Gets the similarity a row must beat to enter the heap (negative infinity until it is full).</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    public void Offer(long rowId, float similarity)
    {
        if (_heap.Count < _k)
        {
            _heap.Enqueue(rowId, similarity);
        }
        else if (similarity > Threshold)
        {
            _heap.DequeueEnqueue(rowId, similarity);
        }
        else
        {
            return;
        }

        if (_heap.Count >= _k && _heap.TryPeek(out _, out var worst))
        {
            Threshold = worst;
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
