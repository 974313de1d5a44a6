namespace LongMemory.Kernel.Testing;

/// <summary>A SQLite database file in a fresh temporary folder, deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _folder;

    public TempDatabase()
    {
        _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "longmemory-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        Path = System.IO.Path.Combine(_folder, "memory.db");
        Database = new SqliteMemoryDatabase(Path);
    }

    /// <summary>Gets the database file path.</summary>
    public string Path { get; }

    /// <summary>Gets the database.</summary>
    public SqliteMemoryDatabase Database { get; private set; }

    /// <summary>Closes and reopens the database, as an application restart would.</summary>
    public SqliteMemoryDatabase Reopen()
    {
        Database.Dispose();
        Database = new SqliteMemoryDatabase(Path);
        return Database;
    }

    public void Dispose()
    {
        Database.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a pooled connection on some platforms; the temp folder is cleaned by the OS.
        }
    }
}
