using System.Text.Json.Serialization;

namespace LongMemory.Kernel;

/// <summary>Source-generated JSON for the metadata columns of the SQLite stores.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
