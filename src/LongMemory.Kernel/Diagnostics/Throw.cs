using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LongMemory.Kernel;

/// <summary>Guard clauses that name the offending argument.</summary>
internal static partial class Throw
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

    public static int IfLessThan(int argument, int min, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (argument < min)
        {
            throw new ArgumentOutOfRangeException(paramName, argument, $"The value must be at least {min}.");
        }

        return argument;
    }

    public static double IfOutOfRange(double argument, double min, double max, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (double.IsNaN(argument) || argument < min || argument > max)
        {
            throw new ArgumentOutOfRangeException(paramName, argument, $"The value must be between {min} and {max}.");
        }

        return argument;
    }
}
