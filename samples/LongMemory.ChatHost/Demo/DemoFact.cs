namespace LongMemory.ChatHost.Demo;

/// <summary>A fact the scripted user states, and the text that must reach the prompt when it is asked about.</summary>
/// <param name="Id">A short id used by the script.</param>
/// <param name="Description">What the fact is, for the report ("city after the move").</param>
/// <param name="Expected">The text that proves recall, e.g. "Porto".</param>
internal sealed record DemoFact(string Id, string Description, string Expected);
