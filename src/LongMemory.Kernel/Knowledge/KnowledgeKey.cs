using System.Text;

namespace LongMemory.Kernel;

/// <summary>Normalizes knowledge keys so that "Favorite Color", "favoriteColor" and "favorite-color" are one key.</summary>
internal static class KnowledgeKey
{
    /// <summary>Returns the lower-case snake_case form of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key has no letter or digit.</exception>
    public static string Normalize(string key, string paramName)
    {
        var builder = new StringBuilder(key.Length + 4);
        var separatorPending = false;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (!char.IsLetterOrDigit(c))
            {
                separatorPending = true;
                continue;
            }

            if (char.IsUpper(c) && i > 0)
            {
                var previous = key[i - 1];
                var next = i + 1 < key.Length ? key[i + 1] : '\0';

                // camelCase ("favoriteColor") and the end of an acronym ("HTTPServer" -> http_server) start a word.
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next)))
                {
                    separatorPending = true;
                }
            }

            if (separatorPending && builder.Length > 0)
            {
                builder.Append('_');
            }

            separatorPending = false;
            builder.Append(char.ToLowerInvariant(c));
        }

        if (builder.Length == 0)
        {
            throw new ArgumentException($"The knowledge key '{key}' has no letter or digit.", paramName);
        }

        return builder.ToString();
    }
}
