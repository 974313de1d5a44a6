namespace LongMemory.Kernel;

/// <summary>Options of <see cref="CalibratingTokenCounter"/>.</summary>
/// <remarks>Setters validate their own range; the counter's constructor checks that <see cref="MinRatio"/> is not above
/// <see cref="MaxRatio"/> and that <see cref="InitialRatio"/> lies between them.</remarks>
public sealed class CalibratingTokenCounterOptions
{
    private double _safetyMargin = 0.10;
    private double _smoothingFactor = 0.2;
    private double _minRatio = 0.25;
    private double _maxRatio = 4.0;
    private double _initialRatio = 1.0;

    /// <summary>Gets or sets the fraction added on top of the calibrated estimate, so the counter errs towards
    /// over-counting (a prompt that really fits is better than one the model rejects).</summary>
    /// <value>The default is 0.10 (10%). Must be between 0 and 1.</value>
    public double SafetyMargin
    {
        get => _safetyMargin;
        set => _safetyMargin = Throw.IfOutOfRange(value, 0, 1);
    }

    /// <summary>Gets or sets the weight of a new observation in the exponential moving average of the ratio.</summary>
    /// <value>The default is 0.2: the last ten or so observations dominate. Must be between 0.001 and 1.</value>
    public double SmoothingFactor
    {
        get => _smoothingFactor;
        set => _smoothingFactor = Throw.IfOutOfRange(value, 0.001, 1);
    }

    /// <summary>Gets or sets the smallest ratio (reported / estimated) the counter accepts; observations below it are clamped.</summary>
    /// <value>The default is 0.25. Must be between 0.01 and 100.</value>
    public double MinRatio
    {
        get => _minRatio;
        set => _minRatio = Throw.IfOutOfRange(value, 0.01, 100);
    }

    /// <summary>Gets or sets the largest ratio (reported / estimated) the counter accepts; observations above it are clamped.</summary>
    /// <value>The default is 4. Must be between 0.01 and 100.</value>
    public double MaxRatio
    {
        get => _maxRatio;
        set => _maxRatio = Throw.IfOutOfRange(value, 0.01, 100);
    }

    /// <summary>Gets or sets the ratio used before the first observation.</summary>
    /// <value>The default is 1 (trust the estimator). Must be between 0.01 and 100.</value>
    public double InitialRatio
    {
        get => _initialRatio;
        set => _initialRatio = Throw.IfOutOfRange(value, 0.01, 100);
    }
}
