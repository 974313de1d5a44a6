namespace LongMemory.ChatHost.Demo;

/// <summary>Progress of a demo run.</summary>
/// <param name="Turn">The turn just completed (1-based).</param>
/// <param name="Total">The number of turns.</param>
/// <param name="Session">The session of the turn (1-based).</param>
internal sealed record DemoProgress(int Turn, int Total, int Session);
