using System.Text.Json.Serialization;

namespace LongMemory.Kernel;

/// <summary>What one block of an assembled prompt holds.</summary>
/// <param name="Block">The block.</param>
/// <param name="Tokens">The tokens the block takes in the prompt.</param>
/// <param name="Items">How many items it includes.</param>
/// <param name="Dropped">How many candidate items were left out for lack of budget.</param>
public sealed record ContextBlockReport(
    [property: JsonConverter(typeof(JsonStringEnumConverter<ContextBlockKind>))] ContextBlockKind Block,
    int Tokens,
    int Items,
    int Dropped);
