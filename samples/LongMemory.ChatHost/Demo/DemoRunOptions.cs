namespace LongMemory.ChatHost.Demo;

/// <summary>Settings of a demo run.</summary>
internal sealed class DemoRunOptions
{
    /// <summary>Gets the SQLite database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>Gets the context window in tokens; small on purpose so reduction and recall matter.</summary>
    /// <value>Default 2048.</value>
    public int MaxContextTokens { get; init; } = 2048;

    /// <summary>Gets the tokens reserved for the answer.</summary>
    /// <value>Default 512.</value>
    public int ReservedOutputTokens { get; init; } = 512;

    /// <summary>Gets the user the scripted conversation belongs to.</summary>
    /// <value>Default "demo-user".</value>
    public string User { get; init; } = "demo-user";

    /// <summary>Gets the script.</summary>
    /// <value>Default <see cref="DemoScript.Steps"/>.</value>
    public IReadOnlyList<DemoStep> Steps { get; init; } = DemoScript.Steps;

    /// <summary>Gets the facts the script refers to.</summary>
    /// <value>Default <see cref="DemoScript.Facts"/>.</value>
    public IReadOnlyList<DemoFact> Facts { get; init; } = DemoScript.Facts;
}
