using System.Globalization;

namespace LongMemory.Kernel.Benchmarks.CommandLine;

/// <summary>
/// <c>--name value</c> options and <c>--flag</c> switches of a subcommand. Every option must be read (or checked with
/// <see cref="EnsureAllUsed"/>), so a typo such as <c>--kk</c> fails instead of being silently ignored.
/// </summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandArguments()
    {
    }

    public static CommandArguments Parse(ReadOnlySpan<string> args)
    {
        var result = new CommandArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new CommandLineException($"Unexpected argument '{arg}'.");
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            result._values[name] = value;
        }

        return result;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var value))
        {
            return false;
        }

        return value is null || bool.Parse(value);
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var value) ? value ?? throw new CommandLineException($"--{name} needs a value.") : null;
    }

    public string RequiredString(string name) => String(name) ?? throw new CommandLineException($"--{name} is required.");

    public int Int(string name, int defaultValue)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        return int.TryParse(text.Replace(",", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CommandLineException($"--{name} expects an integer, not '{text}'.");
    }

    public double? Double(string name)
    {
        var text = String(name);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CommandLineException($"--{name} expects a number, not '{text}'.");
    }

    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> defaultValue)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                throw new CommandLineException($"--{name} expects positive integers separated by commas, not '{text}'.");
            }

            list.Add(value);
        }

        return list.Count == 0 ? throw new CommandLineException($"--{name} is empty.") : list.Distinct().Order().ToList();
    }

    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new CommandLineException("Unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
        }
    }
}
