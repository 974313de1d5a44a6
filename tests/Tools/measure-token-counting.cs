#:project ../src/LongMemory.Kernel/LongMemory.Kernel.csproj
#:property TargetFramework=net10.0
// Measures TiktokenTokenCounter throughput on English chat text (the LoCoMo dialogue turns in shared/data).
// Not a test: run it on an idle machine. dotnet run -c Release tests/Tools/measure-token-counting.cs [-- <locomo.json>]
using System.Diagnostics;
using System.Text.Json;
using LongMemory.Kernel;

var path = args.Length > 0 ? args[0] : Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", "..", "shared", "data", "locomo", "locomo-dev.json");
var turns = new List<string>();
using (var document = JsonDocument.Parse(File.ReadAllText(path)))
{
    foreach (var sample in document.RootElement.EnumerateArray())
    {
        foreach (var session in sample.GetProperty("conversation").EnumerateObject())
        {
            if (session.Value.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var turn in session.Value.EnumerateArray())
            {
                if (turn.TryGetProperty("text", out var text))
                {
                    turns.Add(text.GetString()!);
                }
            }
        }
    }
}

Console.WriteLine($"{turns.Count} turns, {turns.Sum(t => t.Length):N0} chars");
foreach (var (name, create) in new (string, Func<TiktokenTokenCounter>)[] { ("o200k_base", () => TiktokenTokenCounter.CreateO200kBase()), ("cl100k_base", () => TiktokenTokenCounter.CreateCl100kBase()) })
{
    var load = Stopwatch.StartNew();
    var counter = create();
    counter.CountTokens("warm");
    load.Stop();
    var before = GC.GetAllocatedBytesForCurrentThread();
    long tokens = 0;
    var watch = Stopwatch.StartNew();
    var rounds = 0;
    while (watch.Elapsed < TimeSpan.FromSeconds(3) || rounds < 3)
    {
        foreach (var turn in turns)
        {
            tokens += counter.CountTokens(turn);
        }

        rounds++;
    }

    watch.Stop();
    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    Console.WriteLine($"{name}: load {load.ElapsedMilliseconds} ms; {tokens / rounds:N0} tokens a round, {rounds} rounds, "
        + $"{tokens / watch.Elapsed.TotalSeconds / 1e6:F2} M tokens/s, {allocated / (double)tokens:F2} bytes allocated a token");
}
