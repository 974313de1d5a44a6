using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace LongMemory.Kernel.Testing;

/// <summary>
/// A test host (a console app copied next to the test assembly) run as a child process with <c>dotnet exec</c>: its
/// stdout lines are read as they are flushed, so tests wait on what the child says, never on the clock.
/// </summary>
public sealed class ChildHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _errors = new();

    private ChildHostProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>Gets the host's name, for messages.</summary>
    public string Name { get; }

    /// <summary>Gets what the child wrote to stderr so far.</summary>
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

    /// <summary>Gets every stdout line read so far, in order.</summary>
    public List<string> Transcript { get; } = [];

    /// <summary>Starts the host.</summary>
    /// <param name="hostPath">The host's dll.</param>
    /// <param name="name">The host's name, for messages ("the crash host").</param>
    /// <param name="buildHint">What to build when the dll is missing.</param>
    /// <param name="arguments">The host's arguments.</param>
    /// <returns>The running child.</returns>
    public static ChildHostProcess Start(string hostPath, string name, string buildHint, params string[] arguments)
    {
        if (!File.Exists(hostPath))
        {
            throw new FileNotFoundException($"{name} is not next to the test assembly; build {buildHint}.", hostPath);
        }

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(hostPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var host = new ChildHostProcess(process, name);
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

    /// <summary>The next stdout line (also added to <see cref="Transcript"/>), or <see langword="null"/> when the child closed stdout (exited).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The line.</returns>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
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

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails when the child exits first.</summary>
    /// <param name="prefix">The start of the line.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task ExpectLineAsync(string prefix, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken)
                ?? throw new InvalidOperationException($"{Name} exited before printing '{prefix}': {Errors}");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>Reads every remaining stdout line (into <see cref="Transcript"/>) until the child closes stdout.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await ReadLineAsync(cancellationToken) is not null)
        {
        }
    }

    /// <summary>Writes a line to the child's stdin.</summary>
    /// <param name="line">The line.</param>
    /// <returns>A task.</returns>
    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the child to exit.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Kills the child (kill -9 on Unix) and waits until it is gone.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
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

    /// <inheritdoc />
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
