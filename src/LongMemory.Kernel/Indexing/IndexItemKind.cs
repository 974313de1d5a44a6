namespace LongMemory.Kernel;

/// <summary>The kind of source row an indexing outbox entry refers to.</summary>
public enum IndexItemKind
{
    /// <summary>A stored message (source id: the message id).</summary>
    Message = 0,

    /// <summary>A conversation summary (source id: the summary id).</summary>
    Summary = 1,

    /// <summary>The owner's current fact for a knowledge key (source id: the normalized key).</summary>
    Knowledge = 2,

    /// <summary>A model memory entry (source id: the entry id).</summary>
    ModelMemory = 3,

    /// <summary>A document linked to a session (source id: the app's document id).</summary>
    Document = 4,
}
