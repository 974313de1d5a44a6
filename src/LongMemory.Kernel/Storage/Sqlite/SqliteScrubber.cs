using Dapper;

namespace LongMemory.Kernel;

/// <summary>
/// Makes deleted content unrecoverable from a SQLite file after a forget: merges the full-text index so its segments drop
/// the deleted terms, and checkpoints the WAL into the database file and truncates it.
/// </summary>
/// <remarks>
/// Connections run with <c>PRAGMA secure_delete = ON</c> (see <see cref="SqliteMemoryDatabase"/>), so freed pages and cells
/// are zeroed. FTS5 deletes on an external-content table only write delete markers; the old segments still hold the terms
/// until a merge, which <c>'optimize'</c> forces. A checkpoint that readers block is retried once and otherwise left to
/// SQLite's next automatic checkpoint (the result is reported).
/// </remarks>
internal static class SqliteScrubber
{
    public static Task<bool> ScrubAsync(SqliteMemoryDatabase database, CancellationToken cancellationToken)
        => database.RunAsync(
            "scrub deleted content",
            async connection =>
            {
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO memory_fts(memory_fts) VALUES ('optimize');", cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (database.FilePath is null)
                {
                    return true;
                }

                for (var attempt = 0; attempt < 2; attempt++)
                {
                    // Columns: busy (1 when the checkpoint could not complete), WAL frames, frames checkpointed.
                    var row = await connection.QuerySingleAsync<(long Busy, long Log, long Checkpointed)>(
                        new CommandDefinition("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken: cancellationToken)).ConfigureAwait(false);
                    if (row.Busy == 0)
                    {
                        return true;
                    }
                }

                return false;
            },
            cancellationToken);
}
