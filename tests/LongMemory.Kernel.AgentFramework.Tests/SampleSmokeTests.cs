namespace LongMemory.Kernel.AgentFramework.Tests;

public sealed class SampleSmokeTests
{
    [Fact(Timeout = 60_000)]
    public async Task AgentFrameworkSample_Offline_RecallsAcrossSessionsAndResumesTheSerializedOne()
    {
        using var output = new StringWriter();

        await AgentFrameworkSample.RunAsync(new OfflineScriptedModel(), output);

        var answers = output.ToString().Split('\n').Where(l => l.StartsWith("assistant:", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, answers.Count);
        Assert.DoesNotContain("Escola", answers[0], StringComparison.Ordinal);
        Assert.Contains("Escola Azul", answers[1], StringComparison.Ordinal);
        Assert.Contains("Escola Azul", answers[2], StringComparison.Ordinal);
    }
}
