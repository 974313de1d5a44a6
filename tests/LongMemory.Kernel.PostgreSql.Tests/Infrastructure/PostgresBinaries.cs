namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>Finds the PostgreSQL server binaries and the pgvector extension a test may start its own cluster with.</summary>
internal static class PostgresBinaries
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Gets the directory of initdb, pg_ctl and postgres, or <see langword="null"/>.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>Gets runuser's path (needed as root), or <see langword="null"/>.</summary>
    public static string? RunUser { get; } = new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists);

    /// <summary>Gets why no cluster can be started here, or <see langword="null"/> when one can.</summary>
    public static string? WhyNotStartable => Missing.Value;

    public static string Tool(string name) => Path.Combine(BinDirectory!, name);

    private static string? FindBinDirectory()
    {
        if (Environment.GetEnvironmentVariable("PG_BINDIR") is { Length: > 0 } configured && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        if (!Directory.Exists("/usr/lib/postgresql"))
        {
            return null;
        }

        return Directory.GetDirectories("/usr/lib/postgresql")
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
            .Select(d => Path.Combine(d, "bin"))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    private static string? FindMissing()
    {
        if (BinDirectory is null)
        {
            return "no PostgreSQL server binaries were found (/usr/lib/postgresql/<version>/bin, or PG_BINDIR)";
        }

        // Debian layout: /usr/lib/postgresql/15/bin -> /usr/share/postgresql/15/extension.
        var version = Path.GetFileName(Path.GetDirectoryName(BinDirectory));
        var control = $"/usr/share/postgresql/{version}/extension/vector.control";
        if (!File.Exists(control))
        {
            return $"the pgvector extension is not installed ({control} is missing; .ci/postgres-test-server.sh builds it from the pgvector source the project ships beside the clone)";
        }

        if (ProcessRunner.IsRoot && (RunUser is null || !File.ReadAllText("/etc/passwd").Contains("\npostgres:", StringComparison.Ordinal)))
        {
            return "the tests run as root and there is no 'postgres' user or runuser to start PostgreSQL with";
        }

        return null;
    }
}
