namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>A question with its category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial) and raw evidence ids.</summary>
internal sealed record LocomoQuestion(string Question, int Category, IReadOnlyList<string> RawEvidence);
