namespace LongMemory.Kernel;

/// <summary>The scope and filters of an index read. <see cref="UserId"/> is mandatory: nothing is read across owners.</summary>
public sealed class MemoryFilter
{
    /// <summary>Initializes a new instance of the <see cref="MemoryFilter"/> class.</summary>
    /// <param name="userId">The owner key (<see cref="MemoryOwner.Key"/>).</param>
    public MemoryFilter(string userId)
    {
        UserId = Throw.IfNullOrWhitespace(userId);
    }

    /// <summary>Gets the owner key.</summary>
    public string UserId { get; }

    /// <summary>Gets or sets a session to restrict to.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets or sets collections to restrict to (all when <see langword="null"/> or empty).</summary>
    public IReadOnlyList<string>? Collections { get; init; }

    /// <summary>Gets or sets item types to restrict to (all when <see langword="null"/> or empty).</summary>
    public IReadOnlyList<string>? Types { get; init; }

    /// <summary>Gets or sets an inclusive lower bound on <see cref="MemoryItem.CreatedAt"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets or sets an exclusive upper bound on <see cref="MemoryItem.CreatedAt"/>.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Creates the filter of a scope: its owner, and its session when <paramref name="sessionOnly"/> is set.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="sessionOnly">Whether to restrict to the scope's session.</param>
    /// <param name="collections">Collections to restrict to.</param>
    /// <returns>The filter.</returns>
    public static MemoryFilter ForScope(MemoryScope scope, bool sessionOnly = false, params string[] collections)
    {
        Throw.IfNull(scope);
        return new MemoryFilter(scope.Owner.Key)
        {
            SessionId = sessionOnly || scope.UserId is null ? scope.SessionId : null,
            Collections = collections.Length == 0 ? null : collections,
        };
    }
}
