using System.Globalization;
using Google.Protobuf.Collections;
using Qdrant.Client.Grpc;

namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>A stored point: its id, payload, dense vectors (normalised for cosine, as Qdrant stores them) and sparse vectors.</summary>
internal sealed class FakePoint
{
    public required string Key { get; init; }

    public required PointId Id { get; init; }

    public MapField<string, Value> Payload { get; } = [];

    public Dictionary<string, float[]> Dense { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, (uint[] Indices, float[] Values)> Sparse { get; } = new(StringComparer.Ordinal);

    public ulong Version { get; init; }

    /// <summary>
    /// The ordering key of a point id: numbers before UUIDs, numbers by value, UUIDs by their 128 bits (the ordinal order
    /// of the canonical lower-case text). Throws Qdrant's error for an id that is neither.
    /// </summary>
    public static string KeyOf(PointId id) => id.PointIdOptionsCase switch
    {
        PointId.PointIdOptionsOneofCase.Num => "0:" + id.Num.ToString("D20", CultureInfo.InvariantCulture),
        PointId.PointIdOptionsOneofCase.Uuid when Guid.TryParse(id.Uuid, out var uuid) => "1:" + uuid.ToString("D"),
        PointId.PointIdOptionsOneofCase.Uuid => throw QdrantErrors.WrongInput($"Unable to parse UUID: {id.Uuid}"),
        _ => throw QdrantErrors.WrongInput("point id is empty"),
    };

    /// <summary>Gets the id in the form the server answers with (UUIDs canonical).</summary>
    public static PointId Canonical(PointId id) =>
        id.PointIdOptionsCase == PointId.PointIdOptionsOneofCase.Uuid ? new PointId { Uuid = Guid.Parse(id.Uuid).ToString("D") } : id.Clone();

    public RetrievedPoint ToRetrieved(WithPayloadSelector? payload, WithVectorsSelector? vectors)
    {
        var result = new RetrievedPoint { Id = Id.Clone() };
        CopyPayload(payload, result.Payload);
        result.Vectors = SelectVectors(vectors);
        return result;
    }

    public ScoredPoint ToScored(float score, WithPayloadSelector? payload, WithVectorsSelector? vectors)
    {
        var result = new ScoredPoint { Id = Id.Clone(), Score = score, Version = Version };
        CopyPayload(payload, result.Payload);
        result.Vectors = SelectVectors(vectors);
        return result;
    }

    private void CopyPayload(WithPayloadSelector? selector, MapField<string, Value> target)
    {
        switch (selector?.SelectorOptionsCase)
        {
            case WithPayloadSelector.SelectorOptionsOneofCase.Enable when selector.Enable:
                target.Add(Payload);
                break;
            case WithPayloadSelector.SelectorOptionsOneofCase.Include:
                foreach (var field in selector.Include.Fields.Where(Payload.ContainsKey))
                {
                    target[field] = Payload[field];
                }

                break;
            case WithPayloadSelector.SelectorOptionsOneofCase.Exclude:
                foreach (var (key, value) in Payload.Where(p => !selector.Exclude.Fields.Contains(p.Key)))
                {
                    target[key] = value;
                }

                break;
        }
    }

    private VectorsOutput? SelectVectors(WithVectorsSelector? selector)
    {
        IEnumerable<string> names = selector?.SelectorOptionsCase switch
        {
            WithVectorsSelector.SelectorOptionsOneofCase.Enable when selector.Enable => Dense.Keys.Concat(Sparse.Keys),
            WithVectorsSelector.SelectorOptionsOneofCase.Include => selector.Include.Names,
            _ => [],
        };
        var output = new NamedVectorsOutput();
        foreach (var name in names)
        {
            if (Dense.TryGetValue(name, out var dense))
            {
                var vector = new DenseVector();
                vector.Data.Add(dense);
                output.Vectors[name] = new VectorOutput { Dense = vector };
            }
            else if (Sparse.TryGetValue(name, out var sparse))
            {
                var vector = new SparseVector();
                vector.Indices.Add(sparse.Indices);
                vector.Values.Add(sparse.Values);
                output.Vectors[name] = new VectorOutput { Sparse = vector };
            }
        }

        return output.Vectors.Count == 0 ? null : new VectorsOutput { Vectors = output };
    }
}
