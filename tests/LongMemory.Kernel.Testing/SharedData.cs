namespace LongMemory.Kernel.Testing;

/// <summary>Finds the project's shared material (<c>../shared</c> beside the repository root, or <c>LONGMEMORY_SHARED</c>).</summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>Gets the full path of a file under the shared folder, for example <c>data/tiktoken/oracle.jsonl</c>.</summary>
    public static string PathOf(string relative)
    {
        var path = System.IO.Path.Combine(Root.Value, relative);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Shared test data '{relative}' is missing under '{Root.Value}'. Clone the repository next to 'shared/' or set LONGMEMORY_SHARED.", path);
        }

        return path;
    }

    /// <summary>Gets the repository root (the folder holding LongMemory.Kernel.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("LONGMEMORY_SHARED");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        return System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared"));
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LongMemory.Kernel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Could not find the repository root (LongMemory.Kernel.sln) above " + AppContext.BaseDirectory);
    }
}
