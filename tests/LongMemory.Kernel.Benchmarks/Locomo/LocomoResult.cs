using LongMemory.Kernel.Benchmarks.Retrieval;

namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>The recall of the memory and of the baseline, with evidence bookkeeping and recall latencies.</summary>
internal sealed class LocomoResult(RecallAtK memory, RecallAtK baseline)
{
    public RecallAtK Memory { get; } = memory;

    public RecallAtK Baseline { get; } = baseline;

    public int SkippedMissing { get; set; }

    public int SkippedUnparsable { get; set; }

    public int QuestionsWithoutEvidence { get; set; }

    public List<double> LatenciesMs { get; } = [];
}
