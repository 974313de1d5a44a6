using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

/// <summary>
/// Runs tests/LongMemory.Kernel.PostgreSql.WorkerHost (copied next to the test assembly) as a child process: its stdout
/// lines are read as they are flushed, so tests wait on what the child says, never on the clock.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _errors = new();

    private WorkerProcess(Process process) => _process = process;

    public static string HostPath { get; } = Path.Combine(AppContext.BaseDirectory, "WorkerHost", "LongMemory.Kernel.PostgreSql.WorkerHost.dll");

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public static WorkerProcess Start(params string[] arguments)
    {
        if (!File.Exists(HostPath))
        {
            throw new FileNotFoundException("The worker host is not next to the test assembly; build tests/LongMemory.Kernel.PostgreSql.Tests.", HostPath);
        }

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(HostPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var host = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                host._lines.Writer.TryComplete();
            }
            else
            {
                host._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (host._errors)
                {
                    host._errors.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Gets every stdout line read so far, in order.</summary>
    public List<string> Transcript { get; } = [];

    /// <summary>Reads lines until one equals <paramref name="line"/>; fails when the child exits first.</summary>
    public async Task ExpectLineAsync(string line, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = await ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The worker exited before printing '{line}': {Errors}");
            if (next == line)
            {
                return;
            }
        }
    }

    /// <summary>Reads every remaining stdout line (into <see cref="Transcript"/>) until the child closes stdout.</summary>
    public async Task ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await ReadLineAsync(cancellationToken) is not null)
        {
        }
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }

        _process.Dispose();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        try
        {
            var line = await _lines.Reader.ReadAsync(cancellationToken);
            Transcript.Add(line);
            return line;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }
}
