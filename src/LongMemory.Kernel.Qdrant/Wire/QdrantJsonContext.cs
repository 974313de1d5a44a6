using System.Text.Json.Serialization;

namespace LongMemory.Kernel.Qdrant.Wire;

/// <summary>Source-generated serialization of every wire type (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CreateCollectionRequest))]
[JsonSerializable(typeof(UpdateCollectionRequest))]
[JsonSerializable(typeof(CreateVectorNameRequest))]
[JsonSerializable(typeof(CreateFieldIndexRequest))]
[JsonSerializable(typeof(PointsListRequest))]
[JsonSerializable(typeof(PointRequest))]
[JsonSerializable(typeof(ScrollRequest))]
[JsonSerializable(typeof(CountRequest))]
[JsonSerializable(typeof(PointsSelectorRequest))]
[JsonSerializable(typeof(QueryRequest))]
[JsonSerializable(typeof(QueryBatchRequest))]
[JsonSerializable(typeof(SparseInputDto))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(VersionInfoDto))]
[JsonSerializable(typeof(QdrantResponse<bool>))]
[JsonSerializable(typeof(QdrantResponse<CollectionExistenceDto>))]
[JsonSerializable(typeof(QdrantResponse<CollectionInfoDto>))]
[JsonSerializable(typeof(QdrantResponse<UpdateResultDto>))]
[JsonSerializable(typeof(QdrantResponse<List<RecordDto>>))]
[JsonSerializable(typeof(QdrantResponse<ScrollResultDto>))]
[JsonSerializable(typeof(QdrantResponse<CountResultDto>))]
[JsonSerializable(typeof(QdrantResponse<QueryResponseDto>))]
[JsonSerializable(typeof(QdrantResponse<List<QueryResponseDto>>))]
internal sealed partial class QdrantJsonContext : JsonSerializerContext
{
}
