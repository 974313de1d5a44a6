using System.Globalization;

namespace LongMemory.Kernel.PostgreSql;

/// <summary>The text check of the knowledge, model memory and document stores: what the SQLite stores refuse, these refuse too.</summary>
internal static class KnowledgeSideText
{
    /// <summary>
    /// Rejects an unpaired UTF-16 surrogate and U+0000, as the SQLite stores do (the conformance suites pin the refusal for
    /// facts, model memory and documents). Accepted text is then stored verbatim through <see cref="PostgreSqlText"/>.
    /// </summary>
    /// <param name="value">The text, or <see langword="null"/> (accepted).</param>
    /// <param name="paramName">The parameter named in the exception.</param>
    /// <exception cref="ArgumentException">The text cannot be stored unchanged by every backend.</exception>
    public static void EnsureStorable(string? value, string paramName)
    {
        PostgreSqlStoreSupport.EnsureStorableText(value, paramName);
        var nul = value?.IndexOf('\0', StringComparison.Ordinal) ?? -1;
        if (nul >= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The text has U+0000 at index {nul}; it cannot be stored without being altered."), paramName);
        }
    }
}
