namespace LongMemory.Kernel;

/// <summary>The kind of a <see cref="MemoryOwner"/>.</summary>
public enum MemoryOwnerKind
{
    /// <summary>A user: owns every session created for that user id.</summary>
    User = 1,

    /// <summary>An anonymous session: owns only itself.</summary>
    AnonymousSession = 2,
}
