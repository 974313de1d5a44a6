namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>One dated session of a conversation (<c>session_N</c> with <c>session_N_date_time</c>).</summary>
internal sealed record LocomoSession(int Number, DateTimeOffset Date, string? RawDate, IReadOnlyList<LocomoTurn> Turns);
