using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>A message of a turn to store, with the metadata the middleware attaches to it.</summary>
/// <param name="Message">The message.</param>
/// <param name="IdempotencyKey">The key that makes storing it again a no-op.</param>
/// <param name="Incomplete">Whether the answer was cut short (the stream stopped, failed or was cancelled).</param>
internal sealed record TurnMessage(ChatMessage Message, string IdempotencyKey, bool Incomplete = false);
