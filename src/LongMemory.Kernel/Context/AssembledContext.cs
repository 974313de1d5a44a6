using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>A prompt built by <see cref="ScopedMemory.AssembleContextAsync"/> and its report.</summary>
/// <param name="Messages">The messages to send to the model.</param>
/// <param name="Report">What went into them.</param>
public sealed record AssembledContext(IReadOnlyList<ChatMessage> Messages, ContextReport Report);
