using System.Collections.Concurrent;

namespace LongMemory.Kernel;

/// <summary>
/// Whether an owner may have items in a collection. Context assembly skips searching collections a user has never
/// written to (most users have no documents), which saves a search per turn. Writes through this memory mark a
/// collection present at once (the indexer reports them); an absence is re-checked after <see cref="AbsentRecheck"/>, so
/// items written by another process sharing the store are found within that time.
/// </summary>
internal sealed class CollectionPresence(IMemoryIndex index, TimeProvider time)
{
    /// <summary>How long "this owner has nothing in that collection" is trusted before the index is asked again.</summary>
    private static readonly TimeSpan AbsentRecheck = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Owner, string Collection), (bool Present, DateTimeOffset CheckedAt)> _presence = new();

    /// <summary>Whether the owner (its index key) may have items in the collection.</summary>
    public async ValueTask<bool> MayHaveItemsAsync(string owner, string collection, CancellationToken cancellationToken)
    {
        var key = (owner, collection);
        var now = time.GetUtcNow();
        if (_presence.TryGetValue(key, out var known) && (known.Present || now - known.CheckedAt < AbsentRecheck))
        {
            return known.Present;
        }

        var present = await index.CountAsync(new MemoryFilter(owner) { Collections = [collection] }, cancellationToken).ConfigureAwait(false) > 0;
        _presence[key] = (present, now);
        return present;
    }

    /// <summary>Records that items of the owner's collection were just written.</summary>
    public void MarkPresent(string owner, string collection) => _presence[(owner, collection)] = (true, time.GetUtcNow());

    /// <summary>A forgotten owner has nothing in any collection.</summary>
    public void Forget(string owner)
    {
        foreach (var key in _presence.Keys.Where(k => k.Owner == owner).ToList())
        {
            _presence.TryRemove(key, out _);
        }
    }
}
