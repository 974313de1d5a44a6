using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Runs the indexer's passes over the outbox, one at a time, in every indexing mode: when a writer asks (inline mode
/// waits for the pass, background mode does not), and on a retry timer driven by the <see cref="TimeProvider"/>, so
/// failed entries come back with back-off while the memory is started. The outbox is the queue, so nothing is lost
/// when the process stops; <see cref="WhenIdleAsync"/> lets tests wait without sleeping.
/// </summary>
internal sealed partial class IndexingWorker : IAsyncDisposable
{
    private readonly MemoryIndexer _indexer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retryPeriod;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _lock = new();
    private readonly HashSet<Task> _inline = [];
    private TaskCompletionSource _nextPass = NewPass();
    private Task _currentPass = Task.CompletedTask;
    private bool _requested;
    private Task? _loop;
    private ITimer? _retryTimer;
    private bool _disposed;

    public IndexingWorker(MemoryIndexer indexer, TimeProvider time, TimeSpan retryPeriod, ILogger logger)
    {
        _indexer = indexer;
        _time = time;
        _retryPeriod = retryPeriod;
        _logger = logger;
    }

    /// <summary>Starts the loop and the retry timer (idempotent).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_loop is not null || _disposed)
            {
                return;
            }

            _loop = Task.Run(RunAsync);
            _retryTimer = _time.CreateTimer(_ => Request(), null, _retryPeriod, _retryPeriod);
        }
    }

    /// <summary>Asks for a pass over the outbox; the task completes when a pass that started after this call has ended.</summary>
    public Task Request()
    {
        Task pass;
        lock (_lock)
        {
            if (_disposed)
            {
                return Task.CompletedTask;
            }

            _requested = true;
            pass = _nextPass.Task;
        }

        _wake.Release();
        return pass;
    }

    /// <summary>
    /// Runs a pass on the caller's thread (inline mode: no hand-off to the worker), then waits until every other pass
    /// is done too, so entries another pass claimed first are indexed when this returns.
    /// </summary>
    public async Task RunInlineAsync(CancellationToken cancellationToken)
    {
        var run = _indexer.DrainAsync(cancellationToken);
        lock (_lock)
        {
            _inline.Add(run);
        }

        try
        {
            await run.ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _inline.Remove(run);
            }
        }

        await WhenIdleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when no pass is running or requested (the worker's, and inline passes of other callers).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                var worker = _loop is null ? Task.CompletedTask : _requested ? _nextPass.Task : _currentPass;
                wait = _inline.Count == 0 ? worker : Task.WhenAll([worker, .. _inline]);
                if (wait.IsCompleted)
                {
                    return;
                }
            }

            try
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Another caller's inline pass failed; that caller sees its exception, this one only waits.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        if (_retryTimer is not null)
        {
            await _retryTimer.DisposeAsync().ConfigureAwait(false);
        }

        _wake.Release();
        if (loop is not null)
        {
            try
            {
                // Let the pass in flight finish its batch; a stuck embedder is cancelled (its entries stay in the outbox).
                await loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _nextPass.TrySetResult();
        _stopping.Dispose();
    }

    private static TaskCompletionSource NewPass() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        while (true)
        {
            try
            {
                await _wake.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            TaskCompletionSource pass;
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!_requested)
                {
                    continue; // A wake-up whose request an earlier pass already served.
                }

                pass = _nextPass;
                _nextPass = NewPass();
                _requested = false;
                _currentPass = pass.Task;
            }

            try
            {
                await _indexer.DrainAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                pass.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The outbox itself failed (store down): the entries stay there and the retry timer comes back.
                Log.PassFailed(_logger, ex);
            }

            pass.TrySetResult();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Error, "An indexing pass failed; the outbox keeps its entries and the retry timer tries again.")]
        public static partial void PassFailed(ILogger logger, Exception exception);
    }
}
