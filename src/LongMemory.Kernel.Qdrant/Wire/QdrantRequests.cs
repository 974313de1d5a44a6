using System.Text.Json;
using System.Text.Json.Serialization;

namespace LongMemory.Kernel.Qdrant.Wire;

// Request bodies of the Qdrant REST API (shared/specs/qdrant-openapi-1.19.json). Names are snake_case on the wire
// through QdrantJsonContext; null members are omitted, so every body only carries what the spec's schema names.

/// <summary>CreateCollection: named dense vector, sparse BM25 vector, metadata.</summary>
internal sealed class CreateCollectionRequest
{
    public Dictionary<string, VectorParamsDto>? Vectors { get; set; }

    public Dictionary<string, SparseVectorParamsDto>? SparseVectors { get; set; }

    public CollectionMetadataDto? Metadata { get; set; }
}

/// <summary>UpdateCollection (PATCH): only the metadata is ever changed.</summary>
internal sealed class UpdateCollectionRequest
{
    public CollectionMetadataDto? Metadata { get; set; }
}

/// <summary>VectorParams.</summary>
internal sealed class VectorParamsDto
{
    public long Size { get; set; }

    public string Distance { get; set; } = "Cosine";
}

/// <summary>VectorNameConfig for a dense vector (PUT /collections/{name}/vectors/{vector}).</summary>
internal sealed class CreateVectorNameRequest
{
    public required VectorParamsDto Dense { get; set; }
}

/// <summary>SparseVectorParams.</summary>
internal sealed class SparseVectorParamsDto
{
    public string? Modifier { get; set; }
}

/// <summary>The library's keys in a collection's metadata (a free-form Payload in the spec).</summary>
internal sealed class CollectionMetadataDto
{
    [JsonPropertyName("longmemory_schema")]
    public int? Schema { get; set; }

    [JsonPropertyName("longmemory_embedding_model")]
    public string? EmbeddingModel { get; set; }

    [JsonPropertyName("longmemory_embedding_dimensions")]
    public int? EmbeddingDimensions { get; set; }

    [JsonPropertyName("longmemory_sparse_encoding")]
    public string? SparseEncoding { get; set; }
}

/// <summary>CreateFieldIndex with a PayloadSchemaParams object.</summary>
internal sealed class CreateFieldIndexRequest
{
    public required string FieldName { get; set; }

    public required FieldSchemaDto FieldSchema { get; set; }
}

/// <summary>KeywordIndexParams or DatetimeIndexParams.</summary>
internal sealed class FieldSchemaDto
{
    public required string Type { get; set; }

    public bool? IsTenant { get; set; }
}

/// <summary>PointsList.</summary>
internal sealed class PointsListRequest
{
    public required List<PointStructDto> Points { get; set; }
}

/// <summary>PointStruct with the two named vectors.</summary>
internal sealed class PointStructDto
{
    public required string Id { get; set; }

    public required PointVectorsDto Vector { get; set; }

    public required PointPayloadDto Payload { get; set; }
}

/// <summary>The named vectors of a point (VectorStruct as an object of name to Vector).</summary>
internal sealed class PointVectorsDto
{
    [JsonPropertyName("dense")]
    public float[]? Dense { get; set; }

    [JsonPropertyName("bm25")]
    public SparseInputDto? Bm25 { get; set; }
}

/// <summary>
/// A SparseVector (<c>indices</c>, <c>values</c>) or a Document (<c>text</c>, <c>model</c>, <c>options</c>) for the
/// server's BM25 inference: whichever members are set are written.
/// </summary>
internal sealed class SparseInputDto
{
    public uint[]? Indices { get; set; }

    public float[]? Values { get; set; }

    public string? Text { get; set; }

    public string? Model { get; set; }

    public Bm25OptionsDto? Options { get; set; }
}

/// <summary>Bm25Config.</summary>
internal sealed class Bm25OptionsDto
{
    public double K { get; set; }

    public double B { get; set; }

    public double AvgLen { get; set; }
}

/// <summary>PointRequest (retrieve by ids).</summary>
internal sealed class PointRequest
{
    public required string[] Ids { get; set; }

    public bool WithPayload { get; set; } = true;

    public string[]? WithVector { get; set; }
}

/// <summary>ScrollRequest.</summary>
internal sealed class ScrollRequest
{
    public FilterDto? Filter { get; set; }

    public int Limit { get; set; }

    public string? Offset { get; set; }

    public bool WithPayload { get; set; } = true;

    public string[]? WithVector { get; set; }
}

/// <summary>CountRequest.</summary>
internal sealed class CountRequest
{
    public FilterDto? Filter { get; set; }

    public bool Exact { get; set; } = true;
}

/// <summary>PointsSelector: PointIdsList or FilterSelector.</summary>
internal sealed class PointsSelectorRequest
{
    public string[]? Points { get; set; }

    public FilterDto? Filter { get; set; }
}

/// <summary>QueryRequestBatch.</summary>
internal sealed class QueryBatchRequest
{
    public required List<QueryRequest> Searches { get; set; }
}

/// <summary>QueryRequest (also used for Prefetch, which has the same members apart from <c>with_*</c>).</summary>
internal sealed class QueryRequest
{
    public List<QueryRequest>? Prefetch { get; set; }

    public QueryInputDto? Query { get; set; }

    public string? Using { get; set; }

    public FilterDto? Filter { get; set; }

    public int? Limit { get; set; }

    public bool? WithPayload { get; set; }

    public string[]? WithVector { get; set; }
}

/// <summary>A QueryInterface: a dense vector (JSON array), or a sparse vector / document (JSON object).</summary>
[JsonConverter(typeof(QueryInputConverter))]
internal sealed class QueryInputDto
{
    public float[]? Dense { get; init; }

    public SparseInputDto? Sparse { get; init; }
}

/// <summary>Filter.</summary>
internal sealed class FilterDto
{
    public List<ConditionDto>? Must { get; set; }

    public List<ConditionDto>? Should { get; set; }

    public List<ConditionDto>? MustNot { get; set; }
}

/// <summary>A FieldCondition (<c>key</c> with <c>match</c> or <c>range</c>) or a HasIdCondition.</summary>
internal sealed class ConditionDto
{
    public string? Key { get; set; }

    public MatchDto? Match { get; set; }

    public DatetimeRangeDto? Range { get; set; }

    public string[]? HasId { get; set; }
}

/// <summary>MatchValue or MatchAny over strings.</summary>
internal sealed class MatchDto
{
    public string? Value { get; set; }

    public string[]? Any { get; set; }
}

/// <summary>DatetimeRange (RFC 3339 strings).</summary>
internal sealed class DatetimeRangeDto
{
    public string? Gte { get; set; }

    public string? Lt { get; set; }
}

/// <summary>Writes <see cref="QueryInputDto"/> as the JSON shape its content calls for.</summary>
internal sealed class QueryInputConverter : JsonConverter<QueryInputDto>
{
    public override QueryInputDto Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Query inputs are only written.");

    public override void Write(Utf8JsonWriter writer, QueryInputDto value, JsonSerializerOptions options)
    {
        if (value.Dense is not null)
        {
            JsonSerializer.Serialize(writer, value.Dense, QdrantJsonContext.Default.SingleArray);
        }
        else if (value.Sparse is not null)
        {
            JsonSerializer.Serialize(writer, value.Sparse, QdrantJsonContext.Default.SparseInputDto);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
