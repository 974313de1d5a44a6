namespace LongMemory.Kernel;

/// <summary>The settings the indexer reads, taken from <see cref="ChatMemoryOptions"/> by the composition root (already validated there).</summary>
/// <param name="EmbeddingBatchSize">How many entries are claimed and embedded at once.</param>
/// <param name="IndexMaxAttempts">How many failed attempts make an entry dead.</param>
/// <param name="NearDuplicateThreshold">The cosine at or above which a new summary replaces a superseded one's item.</param>
/// <param name="RetryBaseDelay">The first back-off after a failure.</param>
/// <param name="RetryMaxDelay">The longest back-off.</param>
internal sealed record IndexerSettings(int EmbeddingBatchSize, int IndexMaxAttempts, double NearDuplicateThreshold, TimeSpan RetryBaseDelay, TimeSpan RetryMaxDelay);
