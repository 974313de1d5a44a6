using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// The engine's parts, built once by <see cref="ChatMemory"/> (the composition root) and shared by every
/// <see cref="ScopedMemory"/> and the chat middleware. No part knows the facade: each has its own dependencies.
/// </summary>
internal sealed class MemoryEngine
{
    public required ISessionStore Sessions { get; init; }

    public required IMessageStore Messages { get; init; }

    public required IIndexOutbox Outbox { get; init; }

    /// <summary>Gets the start-up and the indexing trigger (the one write path).</summary>
    public required IndexingPipeline Indexing { get; init; }

    public required MemoryRecaller Recaller { get; init; }

    public required MemoryReader Reader { get; init; }

    public required MemoryWriter Writer { get; init; }

    public required SessionReducer Reducer { get; init; }

    public required ContextAssembler Assembler { get; init; }

    public required CollectionPresence Presence { get; init; }

    public required ITokenCounter TokenCounter { get; init; }

    public required ContextOptions ContextOptions { get; init; }

    /// <summary>Gets the memory's logger (its category is <see cref="ChatMemory"/>'s, as before the parts had their own types).</summary>
    public required ILogger Logger { get; init; }
}
