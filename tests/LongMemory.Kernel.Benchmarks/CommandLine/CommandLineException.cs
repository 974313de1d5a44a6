namespace LongMemory.Kernel.Benchmarks.CommandLine;

/// <summary>A bad command line: unknown option, missing or malformed value.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
