namespace LongMemory.Kernel;

/// <summary>Which memory tools a model is offered (<see cref="ScopedMemory.CreateTools(MemoryToolSet)"/>).</summary>
/// <remarks>
/// Every tool definition is sent with every request and counts into the prompt budget. The full set costs about
/// 960 o200k_base tokens per call, the compact set under a third of that; the README lists each tool's cost.
/// </remarks>
public enum MemoryToolSet
{
    /// <summary>
    /// The seven tools: SaveToModelMemory, RetrieveUserInfo, SearchConversationHistory, SummarizeOldest, ForgetMemory,
    /// RestoreTrimmed and ListKnowledge, with full descriptions and optional parameters.
    /// </summary>
    Full = 0,

    /// <summary>
    /// Three tools for small context windows and small models: Remember (save a note about the user), Recall (search
    /// facts, notes and past conversations in one call) and Forget (by an id Recall returned); one parameter each and
    /// short descriptions. Same scoping and error behaviour as <see cref="Full"/>.
    /// </summary>
    Compact = 1,
}
