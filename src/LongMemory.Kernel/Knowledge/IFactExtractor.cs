namespace LongMemory.Kernel;

/// <summary>Finds persistent facts (key and value) in stored messages.</summary>
public interface IFactExtractor
{
    /// <summary>Extracts facts from messages.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The facts, in the order of their source messages; empty when there are none.</returns>
    Task<IReadOnlyList<ExtractedFact>> ExtractAsync(IReadOnlyList<StoredMessage> messages, CancellationToken cancellationToken = default);
}
