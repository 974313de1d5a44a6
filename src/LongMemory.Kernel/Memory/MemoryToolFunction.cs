using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Wraps a memory tool so that bad arguments and expected failures come back to the model as a compact JSON error
/// it can act on, never as an exception with a stack trace.
/// </summary>
internal sealed class MemoryToolFunction(AIFunction inner) : DelegatingAIFunction(inner)
{
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (MemoryToolOperations.ErrorFor(Name, ex) is { } error)
        {
            // Argument binding fails before the operation runs (a missing or mistyped argument).
            return MemoryTools.Json(error);
        }
    }
}
