using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Tokens;

public class CalibratingTokenCounterTests
{
    [Fact]
    public void CountTokens_NoObservation_AddsSafetyMarginToEstimate()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter());

        Assert.Equal(110, counter.CountTokens(new string('x', 400)));
        Assert.Equal(0, counter.CountTokens(string.Empty));
    }

    [Fact]
    public void Observe_ModelCountsMore_ConvergesToRatioAndKeepsMargin()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter());
        var random = new Random(7);

        for (var i = 0; i < 60; i++)
        {
            var estimated = random.Next(500, 5000);
            var noise = 1 + ((random.NextDouble() - 0.5) * 0.02);
            counter.Observe(estimated, (long)(estimated * 1.5 * noise));
        }

        Assert.InRange(counter.Ratio, 1.48, 1.52);
        Assert.Equal(60, counter.ObservationCount);
        var count = counter.CountTokens(new string('x', 4000));
        Assert.InRange(count, (int)(1000 * 1.48 * 1.1), (int)Math.Ceiling(1000 * 1.52 * 1.1));
        Assert.True(count > 1500, "The calibrated count must stay above the model's own count.");
    }

    [Fact]
    public void Observe_FirstObservation_ReplacesInitialRatio()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter(), new CalibratingTokenCounterOptions { SafetyMargin = 0 });

        counter.Observe(100, 80);

        Assert.Equal(0.8, counter.Ratio, 6);
        Assert.Equal(80, counter.CountTokens(new string('x', 400)));
    }

    [Fact]
    public void Observe_OutlierReport_IsClampedAndSmoothed()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter(), new CalibratingTokenCounterOptions { MaxRatio = 2, SmoothingFactor = 0.5 });
        counter.Observe(1000, 1000);

        counter.Observe(10, 100_000);

        Assert.Equal(1.5, counter.Ratio, 6);
    }

    [Fact]
    public void Observe_UsageWithoutInputCount_IsIgnored()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter());
        ChatMessage[] prompt = [new(ChatRole.User, new string('x', 400))];

        counter.Observe(prompt, new UsageDetails { OutputTokenCount = 50 });
        counter.Observe(prompt, new UsageDetails { InputTokenCount = 0 });
        counter.Observe(0, 100);

        Assert.Equal(0, counter.ObservationCount);
        Assert.Equal(1.0, counter.Ratio);
    }

    [Fact]
    public void Observe_PromptAndUsage_LearnsFromEstimatorCountOfPrompt()
    {
        var estimator = new CharsPerFourCounter();
        var counter = new CalibratingTokenCounter(estimator, new CalibratingTokenCounterOptions { SafetyMargin = 0 });
        ChatMessage[] prompt = [new(ChatRole.User, new string('x', 400))];

        counter.Observe(prompt, new UsageDetails { InputTokenCount = 2 * estimator.CountTokens(prompt) });

        Assert.Equal(2.0, counter.Ratio, 6);
        Assert.Equal(2 * estimator.CountTokens(prompt), counter.CountTokens(prompt));
    }

    [Fact]
    public void Observe_ConcurrentObservers_CountsEveryObservation()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter());

        Parallel.For(0, 10_000, i => counter.Observe(1000, 1200));

        Assert.Equal(10_000, counter.ObservationCount);
        Assert.Equal(1.2, counter.Ratio, 9);
    }

    [Fact]
    public void Constructor_DefaultEstimator_IsO200kBase()
    {
        var counter = new CalibratingTokenCounter(options: new CalibratingTokenCounterOptions { SafetyMargin = 0 });

        Assert.Equal(TiktokenTokenCounter.CreateO200kBase().CountTokens("hello world, how are you?"), counter.CountTokens("hello world, how are you?"));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibratingTokenCounterOptions { SafetyMargin = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalibratingTokenCounterOptions { SmoothingFactor = 0 });
        var error = Assert.Throws<ArgumentException>(() => new CalibratingTokenCounter(new CharsPerFourCounter(), new CalibratingTokenCounterOptions { MinRatio = 3, MaxRatio = 2 }));
        Assert.Contains("MinRatio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_NullArguments_Throw()
    {
        var counter = new CalibratingTokenCounter(new CharsPerFourCounter());

        Assert.Throws<ArgumentNullException>("text", () => counter.CountTokens((string)null!));
        Assert.Throws<ArgumentNullException>("messages", () => counter.CountTokens((IEnumerable<ChatMessage>)null!));
        Assert.Throws<ArgumentNullException>("prompt", () => counter.Observe(null!, new UsageDetails()));
        Assert.Throws<ArgumentNullException>("usage", () => counter.Observe([], null!));
    }

    /// <summary>A deterministic estimator: one token per four characters.</summary>
    private sealed class CharsPerFourCounter : ITokenCounter
    {
        public int CountTokens(string text) => text.Length / 4;

        public int CountTokens(IEnumerable<ChatMessage> messages) => messages.Sum(m => 3 + (m.Text.Length / 4));
    }
}
