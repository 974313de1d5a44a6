using System.Runtime.CompilerServices;

namespace LongMemory.Kernel;

/// <summary>The owner guard of the store SPI, kept apart from <c>Throw</c> (which other packages compile in and which knows no owner type).</summary>
internal static class OwnerGuard
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
