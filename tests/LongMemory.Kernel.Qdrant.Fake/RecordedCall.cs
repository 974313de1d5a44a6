namespace LongMemory.Kernel.Qdrant.Fake;

/// <summary>One call the fake received, before it was checked or answered.</summary>
/// <param name="Method">The service and method, for example <c>Points/Upsert</c>.</param>
/// <param name="ApiKey">The <c>api-key</c> metadata, or <see langword="null"/>.</param>
/// <param name="Request">
/// The request message in protobuf wire format; a test reads it with the official client's message types (for
/// example <c>UpsertPoints.Parser.ParseFrom(call.Request)</c>), which this assembly cannot expose.
/// </param>
public sealed record RecordedCall(string Method, string? ApiKey, byte[] Request);
