using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LongMemory.Kernel.Ollama;

/// <summary>Guard clauses that name the offending argument (this package does not depend on the core package's helper).</summary>
internal static class Throw
{
    public static T IfNull<T>([NotNull] T? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        where T : class
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }

        return argument;
    }

    public static string IfNullOrWhitespace([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }

        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new ArgumentException("The value must not be empty or whitespace.", paramName);
        }

        return argument;
    }
}
