namespace LongMemory.Kernel.Tests.ChatReduction;

/// <summary>Wraps a summarizer, counts calls per level and can be told to fail.</summary>
internal sealed class CountingSummarizer(ISummarizer inner) : ISummarizer
{
    public int Calls { get; private set; }

    public Dictionary<int, int> CallsByLevel { get; } = [];

    public Exception? FailWith { get; set; }

    public List<SummarizationRequest> Requests { get; } = [];

    public Task<string> SummarizeAsync(SummarizationRequest request, CancellationToken cancellationToken = default)
    {
        Calls++;
        CallsByLevel[request.Level] = CallsByLevel.GetValueOrDefault(request.Level) + 1;
        Requests.Add(request);
        return FailWith is { } error ? Task.FromException<string>(error) : inner.SummarizeAsync(request, cancellationToken);
    }
}
