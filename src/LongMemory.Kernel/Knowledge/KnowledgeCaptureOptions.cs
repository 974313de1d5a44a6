namespace LongMemory.Kernel;

/// <summary>Options of <see cref="KnowledgeCapture"/>.</summary>
public sealed class KnowledgeCaptureOptions
{
    /// <summary>Gets or sets a value indicating whether each new user message is scanned with the <see cref="PatternFactExtractor"/> as it arrives.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool CaptureOnUserMessage { get; set; } = true;

    /// <summary>Gets or sets the confidence below which an extracted fact is not recorded.</summary>
    /// <value>Default 0.5.</value>
    public double MinConfidence { get; set; } = 0.5;
}
