using System.Text.Json.Serialization;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>The JSON serializer context of the PostgreSQL stores (metadata dictionaries).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class PostgreSqlJsonContext : JsonSerializerContext;
