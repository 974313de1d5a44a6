namespace LongMemory.Kernel.PostgreSql.WorkerHost;

/// <summary>Writes whole lines to stdout from any thread.</summary>
internal sealed class LineWriter(StreamWriter output)
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task WriteAsync(string line)
    {
        await _lock.WaitAsync();
        try
        {
            await output.WriteLineAsync(line);
        }
        finally
        {
            _lock.Release();
        }
    }
}
