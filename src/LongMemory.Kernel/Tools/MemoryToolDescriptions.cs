namespace LongMemory.Kernel;

/// <summary>
/// The names and model-facing descriptions of the memory tools and their parameters, shared by every surface
/// (<see cref="Microsoft.Extensions.AI.AIFunction"/> tools, the Semantic Kernel plugin) so the model reads the same text everywhere.
/// </summary>
public static class MemoryToolDescriptions
{
    /// <summary>The SaveToModelMemory tool name.</summary>
    public const string SaveToModelMemoryName = "SaveToModelMemory";

    /// <summary>The SaveToModelMemory tool description.</summary>
    public const string SaveToModelMemory =
        "Saves something worth remembering about the user across conversations (a preference, a personal fact, a decision, an ongoing task). " +
        "Call it when the user tells you something they would expect you to remember later, or asks you to remember something. " +
        "A near-duplicate of an existing memory updates it instead of adding a copy.";

    /// <summary>The SaveToModelMemory content parameter.</summary>
    public const string SaveContent = "The fact, preference or note to remember, written as a full sentence about the user.";

    /// <summary>The SaveToModelMemory category parameter.</summary>
    public const string SaveCategory = "Optional category such as preference, personal, work, task.";

    /// <summary>The SaveToModelMemory importance parameter.</summary>
    public const string SaveImportance = "Optional importance from 0 (trivial) to 1 (critical). Default 0.5.";

    /// <summary>The RetrieveUserInfo tool name.</summary>
    public const string RetrieveUserInfoName = "RetrieveUserInfo";

    /// <summary>The RetrieveUserInfo tool description.</summary>
    public const string RetrieveUserInfo =
        "Looks up what is known about the user: captured facts (name, location, job, family, likes...) and saved memories. " +
        "Call it before answering questions about the user's preferences or personal details, or when personalising an answer.";

    /// <summary>The RetrieveUserInfo query parameter.</summary>
    public const string RetrieveQuery = "Optional topic to look for, e.g. 'favorite food' or 'where they live'. Leave empty to list everything known.";

    /// <summary>The RetrieveUserInfo topK parameter.</summary>
    public const string RetrieveTopK = "Maximum number of items, 1 to 20. Default 10.";

    /// <summary>The SearchConversationHistory tool name.</summary>
    public const string SearchConversationHistoryName = "SearchConversationHistory";

    /// <summary>The SearchConversationHistory tool description.</summary>
    public const string SearchConversationHistory =
        "Searches earlier messages of the conversation (and optionally the user's other conversations) for what was said about a topic. " +
        "Call it when the user refers to something discussed before that is not in the visible conversation.";

    /// <summary>The SearchConversationHistory query parameter.</summary>
    public const string SearchQuery = "What to search for in earlier messages, in plain words.";

    /// <summary>The SearchConversationHistory acrossSessions parameter.</summary>
    public const string SearchAcrossSessions = "Search the user's other conversations too (true) or only this one (false). Default true.";

    /// <summary>The SearchConversationHistory topK parameter.</summary>
    public const string SearchTopK = "Maximum number of results, 1 to 20. Default 5.";

    /// <summary>The SummarizeOldest tool name.</summary>
    public const string SummarizeOldestName = "SummarizeOldest";

    /// <summary>The SummarizeOldest tool description.</summary>
    public const string SummarizeOldest =
        "Condenses the oldest messages of this conversation into a summary to free context space; the messages stay restorable. " +
        "Call it when the conversation is long and older details are no longer needed verbatim.";

    /// <summary>The SummarizeOldest count parameter.</summary>
    public const string SummarizeCount = "How many of the oldest live messages to summarize, 2 to 200. Default 10.";

    /// <summary>The ForgetMemory tool name.</summary>
    public const string ForgetMemoryName = "ForgetMemory";

    /// <summary>The ForgetMemory tool description.</summary>
    public const string ForgetMemory =
        "Forgets a saved memory or a fact about the user. Call it when the user asks you to forget something or says a remembered item is wrong. " +
        "Use an id returned by RetrieveUserInfo or ListKnowledge.";

    /// <summary>The ForgetMemory id parameter.</summary>
    public const string ForgetId = "The id to forget, as returned by another memory tool: 'memory:<n>' for a saved memory or 'fact:<n>' for a fact.";

    /// <summary>The RestoreTrimmed tool name.</summary>
    public const string RestoreTrimmedName = "RestoreTrimmed";

    /// <summary>The RestoreTrimmed tool description.</summary>
    public const string RestoreTrimmed =
        "Brings summarized (trimmed) messages of this conversation back into the context verbatim. " +
        "Call it when a summary lacks a detail you need and you know the message or summary ids (from SearchConversationHistory or the summary block).";

    /// <summary>The RestoreTrimmed messageIds parameter.</summary>
    public const string RestoreMessageIds = "Ids of trimmed messages to bring back, e.g. [12, 13]. Use this or summaryId.";

    /// <summary>The RestoreTrimmed summaryId parameter.</summary>
    public const string RestoreSummaryId = "The id of a summary whose messages should all come back. Use this or messageIds.";

    /// <summary>The ListKnowledge tool name.</summary>
    public const string ListKnowledgeName = "ListKnowledge";

    /// <summary>The ListKnowledge tool description.</summary>
    public const string ListKnowledge =
        "Lists the facts captured about the user (key, value, since when). With a key, shows how that fact changed over time. " +
        "Call it when the user asks what you know about them or how something changed.";

    /// <summary>The ListKnowledge key parameter.</summary>
    public const string ListKey = "Optional key such as 'location' or 'favorite_food'; with a key, its full history (old values included) is returned.";

    /// <summary>The Remember tool name (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string RememberName = "Remember";

    /// <summary>The Remember tool description (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string Remember = "Save a fact or preference about the user for future chats, as a full sentence. Use when the user shares one or asks you to remember.";

    /// <summary>The Recall tool name (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string RecallName = "Recall";

    /// <summary>The Recall tool description (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string Recall = "Search saved facts about the user and past conversations. Use before answering about the user or earlier talks. Empty query lists all saved facts.";

    /// <summary>The Forget tool name (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string ForgetName = "Forget";

    /// <summary>The Forget tool description (<see cref="MemoryToolSet.Compact"/>).</summary>
    public const string Forget = "Forget a saved fact by its id from Recall, when the user asks or says it is wrong.";
}
