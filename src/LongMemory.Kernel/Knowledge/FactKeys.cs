using System.Text;

namespace LongMemory.Kernel;

/// <summary>Normalizes fact keys to snake_case with one spelling per concept.</summary>
internal static class FactKeys
{
    public static string Normalize(string key)
    {
        var builder = new StringBuilder(key.Length);
        var pendingSeparator = false;
        foreach (var c in key.Trim())
        {
            if (char.IsLetterOrDigit(c))
            {
                if (pendingSeparator && builder.Length > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
                pendingSeparator = false;
            }
            else if (c != '\'')
            {
                pendingSeparator = true;
            }
        }

        return builder.ToString()
            .Replace("favourite", "favorite", StringComparison.Ordinal)
            .Replace("colour", "color", StringComparison.Ordinal);
    }
}
