using System.Text.Json.Serialization;

namespace LongMemory.ChatHost.Demo;

/// <summary>Source-generated JSON for the demo report (snake_case, indented).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DemoReport))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;
