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
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or InvalidCastException or NotSupportedException or KeyNotFoundException or InvalidOperationException)
        {
            return MemoryTools.Error(Name + ": " + FirstLine(ex.Message));
        }
        catch (LongMemoryStoreException)
        {
            return MemoryTools.Error(Name + ": the memory store is unavailable right now; try again later.");
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
