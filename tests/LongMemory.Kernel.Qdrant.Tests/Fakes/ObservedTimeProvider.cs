using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace LongMemory.Kernel.Qdrant.Tests.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every timer armed on it (retry delays, attempt timeouts; a
/// cancellation source's <c>CancelAfter</c> arms its timer through <see cref="ITimer.Change"/>), so a test can wait
/// until the index is waiting and then move the clock, with no real waiting.
/// </summary>
internal sealed class ObservedTimeProvider : TimeProvider
{
    private readonly FakeTimeProvider _fake = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ObservedTimer(_fake.CreateTimer(callback, state, dueTime, period), _timers.Writer);
        Report(_timers.Writer, dueTime);
        return timer;
    }

    public void Advance(TimeSpan by) => _fake.Advance(by);

    /// <summary>Waits until a timer whose due time matches is created, and gets its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, CancellationToken cancellationToken)
    {
        await foreach (var due in _timers.Reader.ReadAllAsync(cancellationToken))
        {
            if (match(due))
            {
                return due;
            }
        }

        throw new InvalidOperationException("The timer channel closed.");
    }

    private static void Report(ChannelWriter<TimeSpan> writer, TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            writer.TryWrite(dueTime);
        }
    }

    private sealed class ObservedTimer(ITimer inner, ChannelWriter<TimeSpan> writer) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Report(writer, dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
