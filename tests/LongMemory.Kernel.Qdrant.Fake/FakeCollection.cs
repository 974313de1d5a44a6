using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>
/// One collection in memory: its vector configuration, metadata, payload indexes and points, with Qdrant's search
/// semantics (cosine or dot product for dense vectors; sparse dot product, with the IDF modifier when configured).
/// Callers hold the server's lock.
/// </summary>
internal sealed class FakeCollection
{
    private readonly SortedDictionary<string, FakePoint> _points = new(StringComparer.Ordinal);
    private ulong _version;

    public FakeCollection(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public Dictionary<string, VectorParams> DenseVectors { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SparseVectorParams> SparseVectors { get; } = new(StringComparer.Ordinal);

    public MapField<string, Value> Metadata { get; } = [];

    public MapField<string, PayloadSchemaInfo> PayloadSchema { get; } = [];

    public int Count => _points.Count;

    public CollectionInfo Info()
    {
        var parameters = new CollectionParams { ShardNumber = 1, ReplicationFactor = 1, WriteConsistencyFactor = 1 };
        if (DenseVectors.Count > 0)
        {
            var map = new VectorParamsMap();
            foreach (var (name, vector) in DenseVectors)
            {
                map.Map[name] = vector.Clone();
            }

            parameters.VectorsConfig = new VectorsConfig { ParamsMap = map };
        }

        if (SparseVectors.Count > 0)
        {
            var sparse = new SparseVectorConfig();
            foreach (var (name, vector) in SparseVectors)
            {
                sparse.Map[name] = vector.Clone();
            }

            parameters.SparseVectorsConfig = sparse;
        }

        var config = new CollectionConfig { Params = parameters, HnswConfig = new HnswConfigDiff(), OptimizerConfig = new OptimizersConfigDiff(), WalConfig = new WalConfigDiff() };
        config.Metadata.Add(Metadata);
        var info = new CollectionInfo
        {
            Status = CollectionStatus.Green,
            OptimizerStatus = new OptimizerStatus { Ok = true },
            SegmentsCount = 1,
            Config = config,
            PointsCount = (ulong)_points.Count,
            IndexedVectorsCount = 0,
        };
        info.PayloadSchema.Add(PayloadSchema);
        return info;
    }

    public void Upsert(IEnumerable<PointStruct> points)
    {
        // Validate the whole batch first: the server refuses a bad batch as a whole.
        var stored = points.Select(ToStored).ToList();
        foreach (var point in stored)
        {
            _points[point.Key] = point;
        }
    }

    public IEnumerable<FakePoint> Where(Filter? filter) => _points.Values.Where(p => FakeFilter.Matches(filter, p));

    public FakePoint? Find(PointId id) => _points.GetValueOrDefault(FakePoint.KeyOf(id));

    public void Remove(FakePoint point) => _points.Remove(point.Key);

    /// <summary>The points of one page of a scroll from an offset (inclusive), and the id where the next page starts.</summary>
    public (List<FakePoint> Page, PointId? Next) Scroll(Filter? filter, PointId? offset, int limit)
    {
        var start = offset is null ? null : FakePoint.KeyOf(offset);
        var matching = Where(filter).Where(p => start is null || string.CompareOrdinal(p.Key, start) >= 0).Take(limit + 1).ToList();
        var next = matching.Count > limit ? matching[limit].Id.Clone() : null;
        return (matching.Take(limit).ToList(), next);
    }

    /// <summary>Scores every point that has the vector named by <c>using</c> against a nearest-neighbour query.</summary>
    public List<(FakePoint Point, float Score)> Nearest(VectorInput input, string vectorName, Filter? filter)
    {
        switch (input.VariantCase)
        {
            case VectorInput.VariantOneofCase.Dense:
                if (!DenseVectors.TryGetValue(vectorName, out var parameters))
                {
                    throw QdrantErrors.VectorNameMissing(vectorName);
                }

                var query = input.Dense.Data.ToArray();
                if (query.Length != (int)parameters.Size)
                {
                    throw QdrantErrors.Dimension((int)parameters.Size, query.Length);
                }

                if (parameters.Distance == Distance.Cosine)
                {
                    query = Normalise(query);
                }

                return Where(filter)
                    .Where(p => p.Dense.ContainsKey(vectorName))
                    .Select(p => (p, Dot(query, p.Dense[vectorName])))
                    .ToList();
            case VectorInput.VariantOneofCase.Sparse:
                if (!SparseVectors.TryGetValue(vectorName, out var sparseParameters))
                {
                    throw QdrantErrors.VectorNameMissing(vectorName);
                }

                var (indices, values) = ReadSparse(input.Sparse.Indices, input.Sparse.Values);
                var idf = sparseParameters.HasModifier && sparseParameters.Modifier == Modifier.Idf ? Idf(vectorName, indices) : null;
                var results = new List<(FakePoint, float)>();
                foreach (var point in Where(filter))
                {
                    if (!point.Sparse.TryGetValue(vectorName, out var stored))
                    {
                        continue;
                    }

                    var (score, overlap) = SparseDot(indices, values, stored, idf);
                    if (overlap)
                    {
                        results.Add((point, score));
                    }
                }

                return results;
            default:
                throw QdrantErrors.NotModelled($"nearest queries by {input.VariantCase}");
        }
    }

    private FakePoint ToStored(PointStruct point)
    {
        var stored = new FakePoint { Key = FakePoint.KeyOf(point.Id), Id = FakePoint.Canonical(point.Id), Version = ++_version };
        stored.Payload.Add(point.Payload);
        switch (point.Vectors?.VectorsOptionsCase)
        {
            case null or Vectors.VectorsOptionsOneofCase.None:
                break;
            case Vectors.VectorsOptionsOneofCase.Vector:
                // An unnamed vector: only a collection with one unnamed dense vector takes it, and this fake models named ones.
                throw QdrantErrors.VectorNameMissing(string.Empty);
            case Vectors.VectorsOptionsOneofCase.Vectors_:
                foreach (var (name, vector) in point.Vectors.Vectors_.Vectors)
                {
                    Store(stored, name, vector);
                }

                break;
        }

        return stored;
    }

    private void Store(FakePoint point, string name, Vector vector)
    {
#pragma warning disable CS0612 // The deprecated flat fields are still accepted by the server.
        var (dense, sparse) = vector.VectorCase switch
        {
            Vector.VectorOneofCase.Dense => (vector.Dense.Data.ToArray(), ((uint[], float[])?)null),
            Vector.VectorOneofCase.Sparse => (null, ReadSparse(vector.Sparse.Indices, vector.Sparse.Values)),
            Vector.VectorOneofCase.None when vector.Indices is not null => (null, ReadSparse(vector.Indices.Data, vector.Data)),
            Vector.VectorOneofCase.None => (vector.Data.ToArray(), null),
            _ => throw QdrantErrors.NotModelled($"{vector.VectorCase} vectors (inference, multi-vectors)"),
        };
#pragma warning restore CS0612
        if (dense is not null)
        {
            if (!DenseVectors.TryGetValue(name, out var parameters))
            {
                throw QdrantErrors.VectorNameMissing(name);
            }

            if (dense.Length != (int)parameters.Size)
            {
                throw QdrantErrors.Dimension((int)parameters.Size, dense.Length);
            }

            point.Dense[name] = parameters.Distance == Distance.Cosine ? Normalise(dense) : dense;
        }
        else
        {
            if (!SparseVectors.ContainsKey(name))
            {
                throw QdrantErrors.VectorNameMissing(name);
            }

            point.Sparse[name] = sparse!.Value;
        }
    }

    private static (uint[] Indices, float[] Values) ReadSparse(IReadOnlyCollection<uint> indices, IReadOnlyCollection<float> values)
    {
        if (indices.Count != values.Count)
        {
            throw QdrantErrors.WrongInput($"Sparse vector indices and values must have the same length: {indices.Count} != {values.Count}");
        }

        if (indices.Distinct().Count() != indices.Count)
        {
            throw QdrantErrors.WrongInput("Sparse vector indices must be unique");
        }

        var pairs = indices.Zip(values).OrderBy(p => p.First).ToArray();
        return (pairs.Select(p => p.First).ToArray(), pairs.Select(p => p.Second).ToArray());
    }

    /// <summary>
    /// Qdrant's IDF modifier: <c>ln(1 + (N − n + 0.5) / (n + 0.5))</c>, N the points holding the sparse vector, n those
    /// holding the term, computed over the whole collection (unfiltered), as the server does per shard.
    /// </summary>
    private Dictionary<uint, float> Idf(string vectorName, uint[] terms)
    {
        var holders = _points.Values.Where(p => p.Sparse.ContainsKey(vectorName)).Select(p => p.Sparse[vectorName].Indices).ToList();
        var n = holders.Count;
        return terms.ToDictionary(t => t, t =>
        {
            var df = holders.Count(h => Array.BinarySearch(h, t) >= 0);
            return (float)Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
        });
    }

    private static (float Score, bool Overlap) SparseDot(uint[] queryIndices, float[] queryValues, (uint[] Indices, float[] Values) stored, Dictionary<uint, float>? idf)
    {
        double score = 0;
        var overlap = false;
        for (var i = 0; i < queryIndices.Length; i++)
        {
            var j = Array.BinarySearch(stored.Indices, queryIndices[i]);
            if (j >= 0)
            {
                overlap = true;
                score += (double)queryValues[i] * stored.Values[j] * (idf?[queryIndices[i]] ?? 1f);
            }
        }

        return ((float)score, overlap);
    }

    private static float Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return (float)sum;
    }

    private static float[] Normalise(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return norm == 0 ? vector : vector.Select(v => (float)(v / norm)).ToArray();
    }
}
