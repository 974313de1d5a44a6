namespace LongMemory.Kernel;

/// <summary>Condenses part of a conversation (messages, or summaries of the level below) into a bounded summary.</summary>
public interface ISummarizer
{
    /// <summary>Summarizes the messages or child summaries of a request.</summary>
    /// <param name="request">What to condense, at which level, and how long the summary may be.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The summary text, at most <see cref="SummarizationRequest.MaxTokens"/> tokens and never empty.</returns>
    Task<string> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default);
}
