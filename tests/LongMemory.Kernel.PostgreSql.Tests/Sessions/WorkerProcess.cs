namespace LongMemory.Kernel.PostgreSql.Tests.Sessions;

/// <summary>Runs tests/LongMemory.Kernel.PostgreSql.WorkerHost (copied next to the test assembly) as a child process.</summary>
internal static class WorkerProcess
{
    public static string HostPath { get; } = Path.Combine(AppContext.BaseDirectory, "WorkerHost", "LongMemory.Kernel.PostgreSql.WorkerHost.dll");

    public static ChildHostProcess Start(params string[] arguments)
        => ChildHostProcess.Start(HostPath, "The worker", "tests/LongMemory.Kernel.PostgreSql.Tests", arguments);
}
