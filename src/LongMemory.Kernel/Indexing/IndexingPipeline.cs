using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// The memory's start-up and the trigger of the one write path: checks the embedding model and recovers the outbox on
/// first use, and after every committed write runs (inline mode) or requests (background mode) an indexing pass.
/// </summary>
internal sealed partial class IndexingPipeline : IQueryEmbedder, IAsyncDisposable
{
    private readonly MemoryIndexer _indexer;
    private readonly IndexingWorker _worker;
    private readonly IndexingMode _mode;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _startup = new(1, 1);
    private volatile bool _started;

    /// <param name="indexer">The indexer.</param>
    /// <param name="worker">The worker that runs the indexer's passes.</param>
    /// <param name="mode">Whether writes wait for their indexing pass.</param>
    /// <param name="logger">The memory's logger.</param>
    public IndexingPipeline(MemoryIndexer indexer, IndexingWorker worker, IndexingMode mode, ILogger logger)
    {
        _indexer = indexer;
        _worker = worker;
        _mode = mode;
        _logger = logger;
    }

    public MemoryIndexer Indexer => _indexer;

    public TextChunker Chunker => _indexer.Chunker;

    /// <summary>Checks the embedding model (when the embedder is up), starts the worker and indexes what the outbox holds from a previous run.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        await _startup.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                return;
            }

            try
            {
                await _indexer.EnsureModelAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (EmbeddingModelMismatchException or OperationCanceledException or LongMemoryStoreException or OutOfMemoryException))
            {
                // The embedder is down: storing still works; indexing checks the model again and its entries wait in the outbox.
                Log.EmbedderUnavailable(_logger, ex);
            }

            _started = true;
            _worker.Start();

            // Recovery: whatever the outbox holds from a previous run (every kind) is indexed now; inline mode waits for it.
            var recovery = _worker.Request();
            if (_mode == IndexingMode.Inline)
            {
                await recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _startup.Release();
        }
    }

    /// <summary>Waits until the indexer has no pass running or requested.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken) => _worker.WhenIdleAsync(cancellationToken);

    /// <summary>Starts, then indexes every due outbox entry now; returns how many entries were processed.</summary>
    public async Task<int> ProcessBacklogAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await _indexer.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Announces a write whose outbox entries are committed. Inline mode waits for the indexing pass (its own entries
    /// are indexed, or recorded as failed, before the call returns); background mode does not, except for deletions and
    /// forgetting, which always wait so a forgotten item has left recall when the call returns. Indexing failures never
    /// surface here: they are recorded on the entries and retried.
    /// </summary>
    public async Task AfterWriteAsync(bool deletion, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return; // StartAsync's recovery pass picks the entries up.
        }

        if (_mode == IndexingMode.Inline)
        {
            try
            {
                await _worker.RunInlineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LongMemoryStoreException ex)
            {
                // The row is committed with its outbox entry; the retry timer comes back for it.
                Log.InlinePassFailed(_logger, ex);
            }

            return;
        }

        var pass = _worker.Request();
        if (deletion)
        {
            await pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Embeds a text with the index's embedder (the model is checked first).</summary>
    public Task<ReadOnlyMemory<float>> EmbedAsync(string text, CancellationToken cancellationToken) => _indexer.EmbedAsync(text, cancellationToken);

    /// <summary>Offers a vector already computed for a text, so the indexer does not embed it again.</summary>
    public void OfferVector(string text, ReadOnlyMemory<float> vector) => _indexer.OfferVector(text, vector);

    Task IQueryEmbedder.EnsureStartedAsync(CancellationToken cancellationToken) => StartAsync(cancellationToken);

    Task<ReadOnlyMemory<float>> IQueryEmbedder.EmbedQueryAsync(string text, CancellationToken cancellationToken) => EmbedAsync(text, cancellationToken);

    /// <summary>Stops the worker and its retry timer, waiting for the batch in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync().ConfigureAwait(false);
        _startup.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "The embedding generator is unavailable at start-up; writes are stored and indexed when it is back.")]
        public static partial void EmbedderUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(26, LogLevel.Error, "Indexing after a write failed in the store; the outbox keeps the entries and the retry timer tries again.")]
        public static partial void InlinePassFailed(ILogger logger, Exception exception);
    }
}
