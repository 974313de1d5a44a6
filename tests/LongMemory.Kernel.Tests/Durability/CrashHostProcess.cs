namespace LongMemory.Kernel.Tests.Durability;

/// <summary>Runs tests/LongMemory.Kernel.CrashHost (copied next to the test assembly by the test project) as a child process.</summary>
internal static class CrashHostProcess
{
    public static string HostPath { get; } = Path.Combine(AppContext.BaseDirectory, "CrashHost", "LongMemory.Kernel.CrashHost.dll");

    public static ChildHostProcess Start(params string[] arguments)
        => ChildHostProcess.Start(HostPath, "The crash host", "tests/LongMemory.Kernel.Tests", arguments);
}
