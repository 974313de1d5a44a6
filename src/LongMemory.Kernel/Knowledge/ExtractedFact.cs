namespace LongMemory.Kernel;

/// <summary>A fact found in a message, before it is stored as a <see cref="KnowledgeEntry"/>.</summary>
/// <param name="Key">The normalized key (snake_case), for example <c>name</c>, <c>location</c> or <c>favorite_color</c>.</param>
/// <param name="Value">The value.</param>
/// <param name="Confidence">The extractor's confidence, 0..1.</param>
/// <param name="SourceMessageId">The message the fact came from, if known.</param>
public sealed record ExtractedFact(string Key, string Value, double Confidence, long? SourceMessageId);
