namespace LongMemory.ChatHost.Demo;

/// <summary>The demo's JSON report: one record per turn and one per recall check.</summary>
internal sealed class DemoReport
{
    /// <summary>Gets the per-turn records.</summary>
    public List<DemoTurnRecord> Turns { get; init; } = [];

    /// <summary>Gets the recall checks.</summary>
    public List<DemoCheckRecord> Checks { get; init; } = [];

    /// <summary>Gets the totals.</summary>
    public DemoSummary Summary { get; set; } = new();
}
