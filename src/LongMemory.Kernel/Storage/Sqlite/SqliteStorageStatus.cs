namespace LongMemory.Kernel;

/// <summary>
/// The health of a SQLite database file's write-ahead log: how big it is and whether checkpoints (copying it back into
/// the database file) succeed. A log that keeps growing while checkpoints fail means a long-lived read transaction,
/// a read-only file or a full disk is keeping SQLite from checkpointing.
/// </summary>
public sealed class SqliteStorageStatus
{
    /// <summary>Gets the database file path, or <see langword="null"/> for an in-memory database.</summary>
    public string? FilePath { get; init; }

    /// <summary>Gets the size of the <c>-wal</c> file on disk in bytes (0 when there is none).</summary>
    public long WalFileBytes { get; init; }

    /// <summary>Gets the frames (pages) in the log at the last checkpoint attempt, or -1 when none was made.</summary>
    public long WalFrames { get; init; } = -1;

    /// <summary>Gets the frames the last checkpoint attempt copied back into the database, or -1 when none was made.</summary>
    public long CheckpointedFrames { get; init; } = -1;

    /// <summary>Gets the bytes of log content at the last checkpoint attempt (<see cref="WalFrames"/> times the page size).</summary>
    public long WalContentBytes { get; init; }

    /// <summary>
    /// Gets the bytes of log content the last checkpoint attempt could not copy back (0 after a success): what
    /// <see cref="MaxWalBytes"/> bounds.
    /// </summary>
    public long UncheckpointedBytes { get; init; }

    /// <summary>Gets when the last checkpoint attempt ran, or <see langword="null"/> when none was made.</summary>
    public DateTimeOffset? LastCheckpointAt { get; init; }

    /// <summary>Gets whether the last checkpoint attempt copied the whole log back (<see langword="null"/> when none was made).</summary>
    public bool? LastCheckpointSucceeded { get; init; }

    /// <summary>Gets why the last checkpoint attempt failed (busy, frames left, or the error), or <see langword="null"/>.</summary>
    public string? LastCheckpointError { get; init; }

    /// <summary>Gets how many checkpoint attempts in a row have failed (0 after a success).</summary>
    public int ConsecutiveCheckpointFailures { get; init; }

    /// <summary>Gets how many commits were counted since the database was opened by this process.</summary>
    public long Commits { get; init; }

    /// <summary>Gets the bound on <see cref="UncheckpointedBytes"/> above which writes are refused, or <see langword="null"/> when there is none.</summary>
    public long? MaxWalBytes { get; init; }
}
