using System.Globalization;
using Google.Protobuf.Collections;
using LongMemory.Kernel.Qdrant.Sparse;
using Qdrant.Client.Grpc;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace LongMemory.Kernel.Qdrant.Points;

/// <summary>
/// Memory items to Qdrant points and back, and memory filters to Qdrant filters. The payload layout (<c>item_id</c>,
/// <c>user_id</c>, <c>session_id</c>, <c>collection</c>, <c>type</c>, <c>text</c>, <c>created_at</c>,
/// <c>dense_norm</c>, <c>fields</c>) is the one the REST index wrote, so existing collections stay readable.
/// </summary>
internal static class PointConversions
{
    public const string DenseVectorName = "dense";
    public const string SparseVectorName = "bm25";

    public static PointStruct ToPoint(MemoryItem item, Bm25SparseEncoder encoder)
    {
        var point = new PointStruct { Id = new PointId { Uuid = PointIds.For(item.UserId, item.Id) }, Vectors = new Vectors { Vectors_ = new NamedVectors() } };
        var vectors = point.Vectors.Vectors_.Vectors;
        if (!item.Vector.IsEmpty)
        {
            var dense = new DenseVector();
            double sum = 0;
            foreach (var v in item.Vector.Span)
            {
                dense.Data.Add(v);
                sum += (double)v * v;
            }

            vectors[DenseVectorName] = new Vector { Dense = dense };
            point.Payload["dense_norm"] = Math.Sqrt(sum);
        }

        var (indices, values) = encoder.EncodeDocument(item.Text);
        if (indices.Length > 0)
        {
            var sparse = new SparseVector();
            sparse.Indices.Add(indices);
            sparse.Values.Add(values);
            vectors[SparseVectorName] = new Vector { Sparse = sparse };
        }

        var payload = point.Payload;
        payload["item_id"] = item.Id;
        payload["user_id"] = item.UserId;
        if (item.SessionId is not null)
        {
            payload["session_id"] = item.SessionId;
        }

        payload["collection"] = item.Collection;
        payload["type"] = item.Type;
        payload["text"] = item.Text;
        payload["created_at"] = FormatTime(item.CreatedAt);
        if (item.Payload.Count > 0)
        {
            var fields = new Struct();
            foreach (var (key, value) in item.Payload)
            {
                fields.Fields[key] = value;
            }

            payload["fields"] = new Value { StructValue = fields };
        }

        return point;
    }

    /// <summary>Gets the item id and owner of a returned point, or <see langword="null"/> for a point LongMemory did not write.</summary>
    public static (string ItemId, string UserId)? Identity(MapField<string, Value> payload) =>
        payload.TryGetValue("item_id", out var id) && id.KindCase == Value.KindOneofCase.StringValue &&
        payload.TryGetValue("user_id", out var user) && user.KindCase == Value.KindOneofCase.StringValue
            ? (id.StringValue, user.StringValue)
            : null;

    public static MemoryItem ToItem(MapField<string, Value> payload, VectorsOutput? vectors, string collection, bool cosine)
    {
        var vector = ReadOnlyMemory<float>.Empty;
        if (DenseOf(vectors) is { Length: > 0 } dense)
        {
            // Qdrant stores cosine vectors normalised; the norm kept in the payload restores the caller's vector.
            if (cosine && payload.TryGetValue("dense_norm", out var stored) && Number(stored) is > 0 and var norm)
            {
                var current = Math.Sqrt(dense.Sum(v => (double)v * v));
                var scale = current > 0 ? norm / current : 1;
                dense = dense.Select(v => (float)(v * scale)).ToArray();
            }

            vector = dense;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (payload.TryGetValue("fields", out var nested) && nested.KindCase == Value.KindOneofCase.StructValue)
        {
            foreach (var (key, value) in nested.StructValue.Fields)
            {
                fields[key] = value.StringValue;
            }
        }

        return new MemoryItem
        {
            Id = Text(payload, "item_id")!,
            Collection = Text(payload, "collection") ?? collection,
            UserId = Text(payload, "user_id")!,
            SessionId = Text(payload, "session_id"),
            Type = Text(payload, "type") ?? "message",
            Text = Text(payload, "text") ?? string.Empty,
            Vector = vector,
            CreatedAt = Text(payload, "created_at") is { } created ? DateTimeOffset.Parse(created, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : default,
            Payload = fields,
        };
    }

    /// <summary>Gets the dense vector of a returned point.</summary>
    public static float[]? DenseOf(VectorsOutput? vectors)
    {
        if (vectors?.Vectors is null || !vectors.Vectors.Vectors.TryGetValue(DenseVectorName, out var output))
        {
            return null;
        }

        if (output.Dense is { } dense)
        {
            return [.. dense.Data];
        }

        // Servers before the dense/sparse output variants answer in the deprecated flat field.
#pragma warning disable CS0612, CS0618
        return output.Data.Count > 0 ? [.. output.Data] : null;
#pragma warning restore CS0612, CS0618
    }

    public static Filter ToFilter(MemoryFilter filter)
    {
        if (filter.From is { } start && filter.To is { } end && start >= end)
        {
            throw new ArgumentException($"The time range is empty: From ({start:O}) must be before To ({end:O}).", nameof(filter));
        }

        var result = new Filter();
        result.Must.Add(Conditions.MatchKeyword("user_id", filter.UserId));
        if (filter.SessionId is not null)
        {
            result.Must.Add(Conditions.MatchKeyword("session_id", filter.SessionId));
        }

        if (filter.Types is { Count: > 0 } types)
        {
            result.Must.Add(Conditions.Match("type", types.Distinct(StringComparer.Ordinal).ToList()));
        }

        if (filter.From is not null || filter.To is not null)
        {
            var range = new DatetimeRange();
            if (filter.From is { } from)
            {
                range.Gte = Timestamp.FromDateTimeOffset(from);
            }

            if (filter.To is { } to)
            {
                range.Lt = Timestamp.FromDateTimeOffset(to);
            }

            result.Must.Add(new Condition { Field = new FieldCondition { Key = "created_at", DatetimeRange = range } });
        }

        return result;
    }

    public static string FormatTime(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    private static double? Number(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.DoubleValue => value.DoubleValue,
        Value.KindOneofCase.IntegerValue => value.IntegerValue,
        _ => null,
    };

    private static string? Text(MapField<string, Value> payload, string key) =>
        payload.TryGetValue(key, out var value) && value.KindCase == Value.KindOneofCase.StringValue ? value.StringValue : null;
}
