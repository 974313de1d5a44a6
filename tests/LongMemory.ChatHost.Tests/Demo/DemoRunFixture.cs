using System.Text.Json;
using LongMemory.ChatHost.Demo;

namespace LongMemory.ChatHost.Tests.Demo;

/// <summary>Runs the full demo once on a temporary database; the tests read its report and JSON.</summary>
public sealed class DemoRunFixture : IAsyncLifetime
{
    private readonly TempDatabase _database = new();

    internal DemoReport Report { get; private set; } = null!;

    internal JsonDocument Json { get; private set; } = null!;

    internal List<int> ProgressTurns { get; } = [];

    public async Task InitializeAsync()
    {
        var options = new DemoRunOptions { DatabasePath = _database.Path };
        Report = await DemoRunner.RunAsync(options, new InlineProgress<DemoProgress>(p => ProgressTurns.Add(p.Turn)));
        Json = JsonDocument.Parse(JsonSerializer.Serialize(Report, DemoJsonContext.Default.DemoReport));
    }

    public Task DisposeAsync()
    {
        Json.Dispose();
        _database.Dispose();
        return Task.CompletedTask;
    }
}
