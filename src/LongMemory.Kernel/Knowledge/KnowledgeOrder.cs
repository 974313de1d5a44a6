namespace LongMemory.Kernel;

/// <summary>
/// The rules every knowledge store decides a new fact by (shared by the SQLite and PostgreSQL stores): which of two
/// facts of one key is older, and when two values are the same fact.
/// </summary>
internal static class KnowledgeOrder
{
    /// <summary>
    /// Whether a fact from (<paramref name="validFrom"/>, <paramref name="sourceMessageId"/>) is older than one from
    /// (<paramref name="otherValidFrom"/>, <paramref name="otherSourceMessageId"/>): source time, then message id. An older
    /// fact never supersedes a newer one; it is kept as history.
    /// </summary>
    /// <typeparam name="T">The store's time representation (milliseconds, <see cref="DateTime"/>).</typeparam>
    public static bool IsOlder<T>(T validFrom, long? sourceMessageId, T otherValidFrom, long? otherSourceMessageId)
        where T : IComparable<T>
    {
        var byTime = validFrom.CompareTo(otherValidFrom);
        return byTime < 0 || (byTime == 0 && sourceMessageId is { } mine && otherSourceMessageId is { } theirs && mine < theirs);
    }

    /// <summary>Whether a stored value and a new (trimmed) value are the same fact: equal ignoring case and surrounding space.</summary>
    public static bool SameValue(string stored, string value) => string.Equals(stored.Trim(), value, StringComparison.OrdinalIgnoreCase);
}
