namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>One turn: who said it, its dialogue id (<c>D3:7</c>), its text and the caption of a shared image, if any.</summary>
internal sealed record LocomoTurn(string Speaker, string DiaId, string Text, string? ImageCaption);
