namespace LongMemory.Kernel;

/// <summary>
/// A model's answer to a fact-extraction request did not follow the requested JSON schema (for example a model or
/// provider that ignores structured output and answers in prose or in another shape).
/// </summary>
/// <remarks>
/// The message names what was wrong, never the answer itself (it quotes the user's conversation). During reduction the
/// summaries are kept and the error is reported in <c>ReductionResult.KnowledgeCaptureError</c> and logged.
/// </remarks>
public sealed class FactExtractionException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FactExtractionException"/> class.</summary>
    public FactExtractionException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FactExtractionException"/> class.</summary>
    /// <param name="message">What was wrong with the answer.</param>
    public FactExtractionException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="FactExtractionException"/> class.</summary>
    /// <param name="message">What was wrong with the answer.</param>
    /// <param name="innerException">The JSON error, if any.</param>
    public FactExtractionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
