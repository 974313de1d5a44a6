namespace LongMemory.ChatHost.Demo;

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (unlike <see cref="Progress{T}"/>).</summary>
/// <typeparam name="T">The progress value.</typeparam>
/// <param name="report">What to do with each value.</param>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
