namespace LongMemory.Kernel;

/// <summary>How hard a SQLite database file waits for the disk on each commit (<c>PRAGMA synchronous</c> under WAL).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous = NORMAL</c>: a commit is written to the write-ahead log without waiting for the disk; the log is
    /// synced at checkpoints. Survives any application crash or kill; a power loss or operating-system crash can roll
    /// back the last commits (never corrupts the file). Several times faster for chat-sized writes.
    /// </summary>
    Normal = 0,

    /// <summary>
    /// <c>synchronous = FULL</c>: every commit waits until the write-ahead log is on the disk, so a committed turn
    /// survives a power loss as well, at the cost of one disk sync per commit.
    /// </summary>
    Full = 1,
}
