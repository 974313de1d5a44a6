using System.Numerics.Tensors;

namespace LongMemory.Kernel;

/// <summary>
/// The cached, L2-normalised vectors of one (owner, collection) with the scope keys a search filters on, stored
/// contiguously so a scan is a run of SIMD dot products. Guarded by locking the slab itself.
/// </summary>
internal sealed class VectorSlab
{
    private readonly Dictionary<long, int> _slots = [];
    private long[] _rowIds = new long[16];
    private float[] _vectors;
    private string?[] _sessions = new string?[16];
    private string[] _types = new string[16];
    private long[] _createdAt = new long[16];

    public VectorSlab(int dimensions, long version)
    {
        Dimensions = dimensions;
        Version = version;
        _vectors = new float[16 * dimensions];
    }

    /// <summary>Gets the vector size.</summary>
    public int Dimensions { get; }

    /// <summary>Gets or sets the value of <c>memory_versions.version</c> this slab reflects.</summary>
    public long Version { get; set; }

    /// <summary>Gets the number of vectors.</summary>
    public int Count { get; private set; }

    /// <summary>Gets or sets when the slab was last searched (for eviction).</summary>
    public long LastUsed { get; set; }

    /// <summary>Adds or replaces the vector of a row (normalising it); an empty vector removes the row.</summary>
    public void Set(long rowId, ReadOnlySpan<float> vector, string? sessionId, string type, long createdAt)
    {
        if (vector.IsEmpty)
        {
            Remove(rowId);
            return;
        }

        if (!_slots.TryGetValue(rowId, out var slot))
        {
            slot = Count;
            EnsureCapacity(Count + 1);
            Count++;
            _slots[rowId] = slot;
        }

        _rowIds[slot] = rowId;
        _sessions[slot] = sessionId;
        _types[slot] = type;
        _createdAt[slot] = createdAt;
        var destination = _vectors.AsSpan(slot * Dimensions, Dimensions);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, destination);
        }
        else
        {
            destination.Clear();
        }
    }

    /// <summary>Removes a row (moving the last row into its slot).</summary>
    public void Remove(long rowId)
    {
        if (!_slots.Remove(rowId, out var slot))
        {
            return;
        }

        var last = Count - 1;
        if (slot != last)
        {
            _rowIds[slot] = _rowIds[last];
            _sessions[slot] = _sessions[last];
            _types[slot] = _types[last];
            _createdAt[slot] = _createdAt[last];
            _vectors.AsSpan(last * Dimensions, Dimensions).CopyTo(_vectors.AsSpan(slot * Dimensions, Dimensions));
            _slots[_rowIds[slot]] = slot;
        }

        _sessions[last] = null;
        _types[last] = null!;
        Count--;
    }

    /// <summary>Gets the cosine similarity of a row to a normalised query, or <see langword="null"/> when the row has no vector here.</summary>
    public double? Similarity(long rowId, ReadOnlySpan<float> normalizedQuery) =>
        _slots.TryGetValue(rowId, out var slot) ? TensorPrimitives.Dot(normalizedQuery, _vectors.AsSpan(slot * Dimensions, Dimensions)) : null;

    /// <summary>Offers every row that passes the filter to the top-k heap.</summary>
    public void Scan(ReadOnlySpan<float> normalizedQuery, MemoryFilter filter, long? fromMs, long? toMs, TopK topK)
    {
        var types = filter.Types is { Count: > 0 } t ? t : null;
        var dimensions = Dimensions;
        var vectors = _vectors.AsSpan(0, Count * dimensions);
        if (filter.SessionId is null && types is null && fromMs is null && toMs is null)
        {
            // The common case: a straight pass of SIMD dot products over contiguous memory; the heap is touched only by
            // rows that beat its current worst.
            var threshold = topK.Threshold;
            for (var slot = 0; slot < Count; slot++)
            {
                var similarity = TensorPrimitives.Dot(normalizedQuery, vectors.Slice(slot * dimensions, dimensions));
                if (similarity > threshold)
                {
                    topK.Offer(_rowIds[slot], similarity);
                    threshold = topK.Threshold;
                }
            }

            return;
        }

        for (var slot = 0; slot < Count; slot++)
        {
            if (filter.SessionId is not null && !string.Equals(filter.SessionId, _sessions[slot], StringComparison.Ordinal))
            {
                continue;
            }

            if (types is not null && !Contains(types, _types[slot]))
            {
                continue;
            }

            var created = _createdAt[slot];
            if ((fromMs is { } from && created < from) || (toMs is { } to && created >= to))
            {
                continue;
            }

            topK.Offer(_rowIds[slot], TensorPrimitives.Dot(normalizedQuery, vectors.Slice(slot * dimensions, dimensions)));
        }
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _rowIds.Length)
        {
            return;
        }

        var capacity = Math.Max(needed, _rowIds.Length * 2);
        Array.Resize(ref _rowIds, capacity);
        Array.Resize(ref _sessions, capacity);
        Array.Resize(ref _types, capacity);
        Array.Resize(ref _createdAt, capacity);
        Array.Resize(ref _vectors, capacity * Dimensions);
    }
}
