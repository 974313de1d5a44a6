namespace LongMemory.ChatHost.Commands;

/// <summary>What a line typed at the chat prompt asks for.</summary>
internal enum ChatCommandKind
{
    /// <summary>Not a command: a message for the model.</summary>
    Message,
    New,
    Sessions,
    Switch,
    History,
    Summary,
    Knowledge,
    Memory,
    Remember,
    Forget,
    Restore,
    Report,
    Debug,
    Help,
    Quit,

    /// <summary>A line starting with '/' that is not a known command, or a command with bad arguments.</summary>
    Invalid,
}
