using System.Text.Json.Serialization;

namespace LongMemory.Kernel;

/// <summary>One recalled item included in a prompt.</summary>
/// <param name="Block">The block it is in.</param>
/// <param name="Id">The index item id (or <c>summary:N</c>, <c>message:N</c>).</param>
/// <param name="Score">The relevance score, 0..1 (boosted for the current session), or 1 for non-recalled items.</param>
/// <param name="SessionId">The session it comes from, if any.</param>
/// <param name="CreatedAt">When its content was created.</param>
public sealed record ContextItemReport(
    [property: JsonConverter(typeof(JsonStringEnumConverter<ContextBlockKind>))] ContextBlockKind Block,
    string Id,
    double Score,
    string? SessionId,
    DateTimeOffset CreatedAt);
