namespace LongMemory.ChatHost.Offline;

/// <summary>How <see cref="OfflineRecallChatClient"/> words its answers.</summary>
internal enum OfflineReplyStyle
{
    /// <summary>List every recalled item (the interactive offline mode).</summary>
    ListMemory,

    /// <summary>Counts only, so that replies do not copy recalled facts back into the log (the demo, where recall is measured).</summary>
    Counts,
}
