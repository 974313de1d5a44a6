namespace LongMemory.ChatHost.Demo;

/// <summary>A recall check: was the fact in the prompt the model received when the user asked about it?</summary>
internal sealed class DemoCheckRecord
{
    /// <summary>Gets the fact, described with the expected text ("city (after the move): Porto").</summary>
    public required string Fact { get; init; }

    /// <summary>Gets the turn where the fact was stated.</summary>
    public int StatedAtTurn { get; init; }

    /// <summary>Gets the turn where it was asked about.</summary>
    public int AskedAtTurn { get; init; }

    /// <summary>Gets a value indicating whether the expected text was in the prompt (outside the question itself).</summary>
    public bool Recalled { get; init; }

    /// <summary>Gets the prompt blocks that held the expected text ("Knowledge about the user", "recent turns"...).</summary>
    public List<string> FoundIn { get; init; } = [];
}
