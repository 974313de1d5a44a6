using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// The background indexing worker: a bounded queue of appended message batches, drained in embedding-sized batches.
/// The store's outbox stays the source of truth, so a crash loses nothing; failed messages are retried on a timer.
/// </summary>
internal sealed partial class BackgroundIndexer : IAsyncDisposable
{
    private readonly MemoryIndexer _indexer;
    private readonly ChatMemoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<IReadOnlyList<StoredMessage>> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _idleLock = new();
    private readonly Task _worker;
    private readonly ITimer _retryTimer;
    private TaskCompletionSource _idle = NewIdleSource(completed: true);
    private int _outstanding;

    public BackgroundIndexer(MemoryIndexer indexer, ChatMemoryOptions options, TimeProvider time, ILogger logger)
    {
        _indexer = indexer;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<IReadOnlyList<StoredMessage>>(new BoundedChannelOptions(options.BackgroundQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _worker = Task.Run(RunAsync);
        _retryTimer = time.CreateTimer(_ => RequestBacklogDrain(), null, options.IndexRetryBaseDelay, options.IndexRetryBaseDelay);
    }

    public async ValueTask EnqueueAsync(IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        MarkBusy();
        try
        {
            await _queue.Writer.WriteAsync(messages, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            MarkDone();
            throw;
        }
    }

    /// <summary>Asks the worker to index what the outbox holds (start-up recovery and retries).</summary>
    public void RequestBacklogDrain()
    {
        MarkBusy();
        if (!_queue.Writer.TryWrite(Array.Empty<StoredMessage>()))
        {
            MarkDone(); // Queue full: the worker is busy and drains the backlog when it gets there anyway.
        }
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_idleLock)
        {
            idle = _idle.Task;
        }

        return idle.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _retryTimer.DisposeAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewIdleSource(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            source.SetResult();
        }

        return source;
    }

    private void MarkBusy()
    {
        lock (_idleLock)
        {
            if (_outstanding++ == 0)
            {
                _idle = NewIdleSource(completed: false);
            }
        }
    }

    private void MarkDone(int count = 1)
    {
        lock (_idleLock)
        {
            _outstanding -= count;
            if (_outstanding == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var token = _stopping.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var batch = new List<StoredMessage>();
                var taken = 0;
                var drainBacklog = false;
                while (batch.Count < _options.EmbeddingBatchSize && reader.TryRead(out var item))
                {
                    taken++;
                    if (item.Count == 0)
                    {
                        drainBacklog = true;
                    }

                    batch.AddRange(item);
                }

                try
                {
                    await _indexer.IndexMessagesAsync(batch, token).ConfigureAwait(false);
                    if (drainBacklog)
                    {
                        await _indexer.DrainBacklogAsync(int.MaxValue, token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The store itself failed; the messages stay pending in the outbox and the retry timer comes back.
                    Log.WorkerFailed(_logger, batch.Count, ex);
                }
                finally
                {
                    MarkDone(taken);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(10, LogLevel.Error, "The background indexer could not process {MessageCount} messages; they stay in the outbox.")]
        public static partial void WorkerFailed(ILogger logger, int messageCount, Exception exception);
    }
}
