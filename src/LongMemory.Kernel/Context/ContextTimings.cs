namespace LongMemory.Kernel;

/// <summary>How long the memory work of a turn took, in milliseconds.</summary>
/// <param name="ReduceMs">Reduction (summarization) time; 0 when it did not run.</param>
/// <param name="RecallMs">Recall (embedding the query and searching).</param>
/// <param name="AssembleMs">Building the prompt within the budget.</param>
public sealed record ContextTimings(double ReduceMs, double RecallMs, double AssembleMs);
