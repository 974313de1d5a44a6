namespace LongMemory.Kernel;

/// <summary>
/// Optional part of the storage SPI: deletes every row of an owner in every store of one backend in ONE transaction, so
/// forgetting a user either removes everything or nothing. <see cref="ChatMemory.ForgetUserAsync"/> uses it when
/// <see cref="ChatMemoryComponents.OwnerPurge"/> is set; otherwise it deletes store by store.
/// </summary>
/// <remarks>
/// A purge that also holds the memory index (PostgreSQL tables and a <c>PostgresMemoryIndex</c> in the same schema)
/// deletes the owner's index items in the same transaction and says so through <see cref="IncludesIndex"/>; an index
/// elsewhere (Qdrant, say) is purged by <see cref="ChatMemory"/> before the transaction, as without a purge.
/// </remarks>
public interface IOwnerPurge
{
    /// <summary>Gets whether <see cref="PurgeOwnerAsync"/> also deletes the owner's items of <paramref name="index"/> (it lives in the same database).</summary>
    /// <param name="index">The memory index in use.</param>
    /// <returns><see langword="true"/> when the purge covers the index.</returns>
    bool IncludesIndex(IMemoryIndex index);

    /// <summary>
    /// Deletes, in one transaction, every session (soft-deleted ones too), message, summary, indexing outbox entry,
    /// knowledge entry (history and forgotten markers included), model memory entry and document of the owner, and the
    /// owner's index items when the purge holds the index. On any failure nothing is deleted.
    /// </summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts deleted (<see cref="ForgetUserReceipt.CompletedAt"/> is set by the caller).</returns>
    Task<ForgetUserReceipt> PurgeOwnerAsync(MemoryOwner owner, CancellationToken cancellationToken = default);
}
