namespace LongMemory.Kernel.SemanticKernel.Tests;

public sealed class SampleSmokeTests
{
    [Fact(Timeout = 60_000)]
    public async Task SemanticKernelSample_Offline_RecallsTheFactInTheSecondSession()
    {
        using var output = new StringWriter();

        await SemanticKernelSample.RunAsync(new OfflineScriptedModel(), output);

        var text = output.ToString();
        Assert.Contains("[friday] assistant: (offline model) From memory:", text, StringComparison.Ordinal);
        Assert.Contains("Escola Azul", text[text.IndexOf("[friday] assistant", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }
}
