using System.Text.Json;

namespace LongMemory.Kernel.Qdrant.Wire;

// Response bodies. Every Qdrant response is wrapped: {"result": T, "status": "ok" | {"error": "..."}, "time": s}.

/// <summary>The response envelope.</summary>
/// <typeparam name="T">The type of <c>result</c>.</typeparam>
internal sealed class QdrantResponse<T>
{
    public T? Result { get; set; }

    public JsonElement? Status { get; set; }
}

/// <summary>VersionInfo (GET /, not wrapped).</summary>
internal sealed class VersionInfoDto
{
    public string? Title { get; set; }

    public string? Version { get; set; }
}

/// <summary>CollectionExistence.</summary>
internal sealed class CollectionExistenceDto
{
    public bool Exists { get; set; }
}

/// <summary>CollectionInfo (the members the index reads).</summary>
internal sealed class CollectionInfoDto
{
    public CollectionConfigDto? Config { get; set; }

    public Dictionary<string, JsonElement>? PayloadSchema { get; set; }
}

/// <summary>CollectionConfig.</summary>
internal sealed class CollectionConfigDto
{
    public CollectionParamsDto? Params { get; set; }

    public CollectionMetadataDto? Metadata { get; set; }
}

/// <summary>CollectionParams; <c>vectors</c> is a single VectorParams or a map of them, so it is read as an element.</summary>
internal sealed class CollectionParamsDto
{
    public JsonElement? Vectors { get; set; }

    public Dictionary<string, SparseVectorParamsDto>? SparseVectors { get; set; }
}

/// <summary>The payload the index stores with every point.</summary>
internal sealed class PointPayloadDto
{
    public string? ItemId { get; set; }

    public string? UserId { get; set; }

    public string? SessionId { get; set; }

    public string? Collection { get; set; }

    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? CreatedAt { get; set; }

    /// <summary>The L2 norm of the original dense vector (Qdrant stores cosine vectors normalised).</summary>
    public double? DenseNorm { get; set; }

    public Dictionary<string, string>? Fields { get; set; }
}

/// <summary>The named vectors of a returned point.</summary>
internal sealed class RecordVectorsDto
{
    public float[]? Dense { get; set; }
}

/// <summary>Record.</summary>
internal sealed class RecordDto
{
    public JsonElement Id { get; set; }

    public PointPayloadDto? Payload { get; set; }

    public RecordVectorsDto? Vector { get; set; }
}

/// <summary>ScoredPoint.</summary>
internal sealed class ScoredPointDto
{
    public JsonElement Id { get; set; }

    public double Score { get; set; }

    public PointPayloadDto? Payload { get; set; }

    public RecordVectorsDto? Vector { get; set; }
}

/// <summary>ScrollResult.</summary>
internal sealed class ScrollResultDto
{
    public List<RecordDto>? Points { get; set; }

    public JsonElement? NextPageOffset { get; set; }
}

/// <summary>CountResult.</summary>
internal sealed class CountResultDto
{
    public long Count { get; set; }
}

/// <summary>QueryResponse.</summary>
internal sealed class QueryResponseDto
{
    public List<ScoredPointDto>? Points { get; set; }
}

/// <summary>UpdateResult.</summary>
internal sealed class UpdateResultDto
{
    public long? OperationId { get; set; }

    public string? Status { get; set; }
}
