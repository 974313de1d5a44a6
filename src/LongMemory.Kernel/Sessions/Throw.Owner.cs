using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LongMemory.Kernel;

/// <summary>The owner guard, kept apart from <c>Throw.cs</c> (which other packages compile in and which knows no owner type).</summary>
internal static partial class Throw
{
    public static MemoryOwner IfDefault(MemoryOwner argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
    {
        if (argument.Id is null)
        {
            throw new ArgumentException("The owner is not set (default MemoryOwner); create it with MemoryOwner.User or MemoryOwner.AnonymousSession.", paramName);
        }

        return argument;
    }
}
