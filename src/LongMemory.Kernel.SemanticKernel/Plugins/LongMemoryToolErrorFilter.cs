using Microsoft.SemanticKernel;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// Turns a failure to bind a memory function's arguments (a missing or mistyped argument, caught by the kernel before
/// the function runs) into the same <c>{"error": "..."}</c> result the functions return themselves.
/// </summary>
internal sealed class LongMemoryToolErrorFilter(string pluginName) : IFunctionInvocationFilter
{
    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && string.Equals(context.Function.PluginName, pluginName, StringComparison.Ordinal) && MemoryToolOperations.ErrorFor(context.Function.Name, Unwrap(ex)) is { } error)
        {
            context.Result = new FunctionResult(context.Function, error);
        }
    }

    private static Exception Unwrap(Exception ex) => ex is KernelException { InnerException: { } inner } ? inner : ex is KernelException ? new ArgumentException(ex.Message) : ex;
}
