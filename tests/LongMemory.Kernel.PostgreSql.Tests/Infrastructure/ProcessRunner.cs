using System.Diagnostics;

namespace LongMemory.Kernel.PostgreSql.Tests.Infrastructure;

/// <summary>Runs a command line to completion with a timeout, as the <c>postgres</c> user when the tests run as root.</summary>
internal static class ProcessRunner
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, bool asClusterOwner = true)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        if (asClusterOwner && IsRoot)
        {
            // PostgreSQL refuses to run as root.
            info.FileName = PostgresBinaries.RunUser!;
            foreach (var argument in (string[])["-u", "postgres", "--", fileName])
            {
                info.ArgumentList.Add(argument);
            }
        }
        else
        {
            info.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        using var cancel = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        var error = process.StandardError.ReadToEndAsync(cancel.Token);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:F0} s.");
        }

        var text = await output + await error;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {text}");
        }

        return text;
    }
}
