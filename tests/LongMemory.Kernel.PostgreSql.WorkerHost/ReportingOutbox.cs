using System.Globalization;

namespace LongMemory.Kernel.PostgreSql.WorkerHost;

/// <summary>The store's outbox, reporting each entry this instance claims and completes on stdout.</summary>
internal sealed class ReportingOutbox(IIndexOutbox inner, LineWriter lines) : IIndexOutbox
{
    private readonly Dictionary<long, IndexItemKind> _kinds = [];

    public async Task<IReadOnlyList<IndexOutboxEntry>> ClaimAsync(int maxCount, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var entries = await inner.ClaimAsync(maxCount, now, lease, cancellationToken);
        foreach (var entry in entries)
        {
            lock (_kinds)
            {
                _kinds[entry.Id] = entry.Kind;
            }

            await lines.WriteAsync(Line("claimed", entry.Id, entry.Kind));
        }

        return entries;
    }

    public async Task CompleteAsync(IReadOnlyList<long> entryIds, CancellationToken cancellationToken = default)
    {
        await inner.CompleteAsync(entryIds, cancellationToken);
        foreach (var id in entryIds)
        {
            IndexItemKind kind;
            lock (_kinds)
            {
                kind = _kinds[id];
            }

            await lines.WriteAsync(Line("completed", id, kind));
        }
    }

    public Task FailAsync(IReadOnlyList<long> entryIds, string error, DateTimeOffset retryAt, int maxAttempts, CancellationToken cancellationToken = default)
        => inner.FailAsync(entryIds, error, retryAt, maxAttempts, cancellationToken);

    public Task<IndexStatus> GetIndexStatusAsync(MemoryOwner? owner = null, string? sessionId = null, CancellationToken cancellationToken = default)
        => inner.GetIndexStatusAsync(owner, sessionId, cancellationToken);

    private static string Line(string what, long id, IndexItemKind kind) => string.Create(CultureInfo.InvariantCulture, $"{what} {id} {kind}");
}
