namespace LongMemory.Kernel;

/// <summary>
/// Who owns a piece of memory: a user, or an anonymous session. Owner identity is injective: a user and an anonymous
/// session are never the same owner, whatever their ids (a user whose id is <c>session:abc</c> is not anonymous session <c>abc</c>).
/// </summary>
/// <remarks>
/// Stores keep the kind and the id in separate columns. <see cref="Key"/> is the single string an index partitions by;
/// it tags both kinds, so it is injective too.
/// </remarks>
public readonly record struct MemoryOwner
{
    private const string UserTag = "user:";
    private const string SessionTag = "session:";

    /// <summary>Initializes a new instance of the <see cref="MemoryOwner"/> struct.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="id">The user id or the anonymous session's id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not defined.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or whitespace, or contains U+0000.</exception>
    public MemoryOwner(MemoryOwnerKind kind, string id)
    {
        if (kind is not (MemoryOwnerKind.User or MemoryOwnerKind.AnonymousSession))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown owner kind.");
        }

        Kind = kind;
        Id = CheckId(id);
    }

    /// <summary>Gets the kind.</summary>
    public MemoryOwnerKind Kind { get; }

    /// <summary>Gets the user id, or the anonymous session's id.</summary>
    public string Id { get; }

    /// <summary>Gets the owner key an index partitions by: <c>user:</c> or <c>session:</c> followed by <see cref="Id"/>.</summary>
    public string Key => (Kind == MemoryOwnerKind.User ? UserTag : SessionTag) + Id;

    /// <summary>Gets the user id when this is a user, otherwise <see langword="null"/>.</summary>
    public string? UserId => Kind == MemoryOwnerKind.User ? Id : null;

    /// <summary>Creates the owner of a user.</summary>
    /// <param name="userId">The user id.</param>
    /// <returns>The owner.</returns>
    public static MemoryOwner User(string userId) => new(MemoryOwnerKind.User, CheckId(userId));

    /// <summary>Creates the owner of an anonymous session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The owner.</returns>
    public static MemoryOwner AnonymousSession(string sessionId) => new(MemoryOwnerKind.AnonymousSession, CheckId(sessionId));

    /// <summary>Parses an owner key made by <see cref="Key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The owner.</returns>
    /// <exception cref="FormatException">The key is not an owner key.</exception>
    public static MemoryOwner FromKey(string key)
    {
        Throw.IfNull(key);
        if (key.StartsWith(UserTag, StringComparison.Ordinal) && key.Length > UserTag.Length)
        {
            return User(key[UserTag.Length..]);
        }

        if (key.StartsWith(SessionTag, StringComparison.Ordinal) && key.Length > SessionTag.Length)
        {
            return AnonymousSession(key[SessionTag.Length..]);
        }

        throw new FormatException($"'{key}' is not a memory owner key (user:<id> or session:<id>).");
    }

    /// <summary>
    /// Rejects ids no backend can match exactly: blank ones, and ids with U+0000 (PostgreSQL cannot store it in text, and
    /// Microsoft.Data.Sqlite cuts a bound string longer than 512 UTF-8 bytes at it, so <c>victim\0xxx...</c> matched <c>victim</c>).
    /// </summary>
    private static string CheckId(string? id, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(id))] string? paramName = null)
    {
        Throw.IfNullOrWhitespace(id, paramName);
        if (id.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An owner id must not contain U+0000.", paramName);
        }

        return id;
    }

    /// <summary>The kind as stored in a database column: <c>user</c> or <c>session</c>.</summary>
    internal string KindColumn => Kind == MemoryOwnerKind.User ? "user" : "session";

    internal static MemoryOwner FromColumns(string kind, string id)
        => kind == "user" ? User(id) : AnonymousSession(id);

    /// <inheritdoc />
    public override string ToString() => Kind == MemoryOwnerKind.User ? $"user {Id}" : $"anonymous session {Id}";
}
