using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace LongMemory.Kernel.Tests.Durability;

/// <summary>
/// Runs tests/LongMemory.Kernel.CrashHost (copied next to the test assembly by the test project) as a child process:
/// its stdout lines are read as they are flushed, so tests wait on what the child says, never on the clock.
/// </summary>
internal sealed class CrashHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _errors = new();

    private CrashHostProcess(Process process) => _process = process;

    public static string HostPath { get; } = Path.Combine(AppContext.BaseDirectory, "CrashHost", "LongMemory.Kernel.CrashHost.dll");

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

    public static CrashHostProcess Start(params string[] arguments)
    {
        if (!File.Exists(HostPath))
        {
            throw new FileNotFoundException("The crash host is not next to the test assembly; build tests/LongMemory.Kernel.Tests.", HostPath);
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
        var host = new CrashHostProcess(process);
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

    /// <summary>The next stdout line, or <see langword="null"/> when the child closed stdout (exited).</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _lines.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails when the child exits first.</summary>
    public async Task ExpectLineAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The crash host exited before printing '{prefix}': {Errors}");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }
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

    /// <summary>Kills the child (kill -9 on Unix) and waits until it is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await KillAsync(timeout.Token);
        }

        _process.Dispose();
    }
}
