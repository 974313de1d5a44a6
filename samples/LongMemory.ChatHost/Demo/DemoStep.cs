namespace LongMemory.ChatHost.Demo;

/// <summary>One user message of the scripted conversation.</summary>
/// <param name="Session">The session index (0-based) the message is sent in.</param>
/// <param name="Text">What the user says.</param>
/// <param name="States">The id of the fact this message states, if any.</param>
/// <param name="Asks">The id of the fact this message asks about, if any (a recall check).</param>
internal sealed record DemoStep(int Session, string Text, string? States = null, string? Asks = null);
