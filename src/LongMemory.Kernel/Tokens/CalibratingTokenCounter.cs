using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// A token counter for models whose tokenizer is unknown or not available in .NET: it scales an estimator's counts
/// by the ratio it learns from the input token counts the model reports, then adds a safety margin.
/// </summary>
/// <remarks>
/// <para>After each model call, pass the prompt that was sent and the response's <see cref="UsageDetails"/> to
/// <see cref="Observe(IEnumerable{ChatMessage}, UsageDetails)"/>. The counter compares
/// <see cref="UsageDetails.InputTokenCount"/> with the estimator's count of the same prompt and keeps an exponential
/// moving average of the ratio (the first observation replaces <see cref="CalibratingTokenCounterOptions.InitialRatio"/>
/// outright, later ones are blended with <see cref="CalibratingTokenCounterOptions.SmoothingFactor"/>). Each
/// observed ratio is clamped to [<see cref="CalibratingTokenCounterOptions.MinRatio"/>,
/// <see cref="CalibratingTokenCounterOptions.MaxRatio"/>], so one odd report (a cached or truncated prompt, tool
/// definitions counted by the server) cannot wreck the calibration.</para>
/// <para>A count is <c>ceiling(estimate × ratio × (1 + SafetyMargin))</c>: the counter over- rather than
/// under-counts, because a budget that assumes too few tokens overflows the context window. The ratio is learned on
/// whole prompts, so it also absorbs the model's chat-template overhead and any steady extra input such as tool
/// definitions; applied to a single text, it is an estimate of that text's share.</para>
/// <para>The default estimator is <see cref="TiktokenTokenCounter.CreateO200kBase"/>: close to most modern
/// tokenizers already, so the ratio only has to absorb a small difference. Observing and counting are thread-safe.</para>
/// </remarks>
public sealed class CalibratingTokenCounter : ITokenCounter
{
    private readonly ITokenCounter _estimator;
    private readonly double _safetyMargin;
    private readonly double _smoothingFactor;
    private readonly double _minRatio;
    private readonly double _maxRatio;
    private readonly object _gate = new();
    private double _ratio;
    private int _observationCount;

    /// <summary>Initializes a new instance of the <see cref="CalibratingTokenCounter"/> class.</summary>
    /// <param name="estimator">The counter whose counts are calibrated; <see langword="null"/> for o200k_base.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The options' ratio bounds are inconsistent.</exception>
    public CalibratingTokenCounter(ITokenCounter? estimator = null, CalibratingTokenCounterOptions? options = null)
    {
        options ??= new CalibratingTokenCounterOptions();
        if (options.MinRatio > options.MaxRatio)
        {
            throw new ArgumentException($"MinRatio ({options.MinRatio}) must not be greater than MaxRatio ({options.MaxRatio}).", nameof(options));
        }

        if (options.InitialRatio < options.MinRatio || options.InitialRatio > options.MaxRatio)
        {
            throw new ArgumentException($"InitialRatio ({options.InitialRatio}) must lie between MinRatio ({options.MinRatio}) and MaxRatio ({options.MaxRatio}).", nameof(options));
        }

        _estimator = estimator ?? TiktokenTokenCounter.CreateO200kBase();
        _safetyMargin = options.SafetyMargin;
        _smoothingFactor = options.SmoothingFactor;
        _minRatio = options.MinRatio;
        _maxRatio = options.MaxRatio;
        _ratio = options.InitialRatio;
    }

    /// <summary>Gets the learned ratio of reported to estimated tokens (without the safety margin).</summary>
    public double Ratio
    {
        get
        {
            lock (_gate)
            {
                return _ratio;
            }
        }
    }

    /// <summary>Gets how many observations have been used so far.</summary>
    public int ObservationCount => Volatile.Read(ref _observationCount);

    /// <inheritdoc />
    public int CountTokens(string text) => Scale(_estimator.CountTokens(Throw.IfNull(text)));

    /// <inheritdoc />
    public int CountTokens(IEnumerable<ChatMessage> messages) => Scale(_estimator.CountTokens(Throw.IfNull(messages)));

    /// <summary>Learns from a model call: the prompt that was sent and the usage the model reported for it.</summary>
    /// <param name="prompt">The messages sent to the model.</param>
    /// <param name="usage">The usage reported in the response; ignored when it has no positive <see cref="UsageDetails.InputTokenCount"/>.</param>
    public void Observe(IEnumerable<ChatMessage> prompt, UsageDetails usage)
    {
        Throw.IfNull(prompt);
        Throw.IfNull(usage);
        if (usage.InputTokenCount is not > 0)
        {
            return;
        }

        Observe(_estimator.CountTokens(prompt), usage.InputTokenCount.Value);
    }

    /// <summary>Learns from one pair of counts: the estimator's count of a prompt and the count the model reported.</summary>
    /// <param name="estimatedTokens">The estimator's (uncalibrated) count; an observation with a count below 1 is ignored.</param>
    /// <param name="actualTokens">The model's count; an observation with a count below 1 is ignored.</param>
    public void Observe(int estimatedTokens, long actualTokens)
    {
        if (estimatedTokens <= 0 || actualTokens <= 0)
        {
            return;
        }

        var observed = Math.Clamp((double)actualTokens / estimatedTokens, _minRatio, _maxRatio);
        lock (_gate)
        {
            _ratio = _observationCount == 0 ? observed : _ratio + (_smoothingFactor * (observed - _ratio));
            _observationCount++;
        }
    }

    private int Scale(int estimate)
    {
        if (estimate <= 0)
        {
            return 0;
        }

        // The small tolerance keeps binary rounding (100 × 1.1 = 110.00000000000001) from adding a token.
        var scaled = Math.Ceiling((estimate * Ratio * (1 + _safetyMargin)) - 1e-9);
        return scaled >= int.MaxValue ? int.MaxValue : (int)scaled;
    }
}
