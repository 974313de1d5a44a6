namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>One LoCoMo sample: a long two-person conversation in dated sessions, and questions about it.</summary>
internal sealed record LocomoConversation(
    string SampleId,
    string SpeakerA,
    string SpeakerB,
    IReadOnlyList<LocomoSession> Sessions,
    IReadOnlyList<LocomoQuestion> Questions);
