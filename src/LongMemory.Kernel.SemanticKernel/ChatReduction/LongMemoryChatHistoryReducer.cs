using LongMemory.Kernel.Integration;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// A Semantic Kernel <see cref="IChatHistoryReducer"/> that keeps a chat history inside its token budget with hierarchical
/// summaries: older blocks become summaries, summaries become summaries of summaries. Works with
/// <c>ChatHistory.ReduceInPlaceAsync</c>, <c>ReduceAsync</c> and as an agent's <c>HistoryReducer</c>.
/// </summary>
/// <remarks>
/// <para>
/// Two modes. <b>Store-backed</b> (<see cref="LongMemoryChatHistoryReducer(ChatMemory, MemoryScope)"/>): the history is
/// recorded in the session, reduced by the core (summaries stored, trimmed messages kept and restorable, knowledge
/// captured), and the reduced history is the session's summaries plus the caller's messages that are still live.
/// <b>In-memory</b> (<see cref="LongMemoryChatHistoryReducer(ISummarizer, HierarchicalChatReducerOptions, ITokenCounter?)"/>):
/// the core's <see cref="HierarchicalChatReducer"/> without a store.
/// </para>
/// <para>
/// Both follow the core's trigger: a round runs only with more than
/// <see cref="HierarchicalChatReducerOptions.MaxLiveMessages"/> live messages (default 40) or past
/// <see cref="HierarchicalChatReducerOptions.TriggerRatio"/> of the budget (default 80%); otherwise
/// <see cref="ReduceAsync"/> returns <see langword="null"/> as SK's contract asks. System messages are kept, and a
/// function call is never separated from its result. The caller's message objects are returned as they are, never changed.
/// </para>
/// </remarks>
public sealed class LongMemoryChatHistoryReducer : IChatHistoryReducer
{
    private readonly MemoryAdapter? _memory;
    private readonly MemoryScope? _scope;
    private readonly HierarchicalChatReducer? _inMemory;

    /// <summary>Initializes a store-backed reducer for one session.</summary>
    /// <param name="memory">The memory; its <see cref="ChatMemoryOptions.Reduction"/> options set the trigger and budget.</param>
    /// <param name="scope">The session (and its user); created on first use if it does not exist.</param>
    public LongMemoryChatHistoryReducer(ChatMemory memory, MemoryScope scope)
    {
        _memory = new MemoryAdapter(Throw.IfNull(memory));
        _scope = Throw.IfNull(scope);
        if (scope.SessionId is null)
        {
            throw new ArgumentException("A store-backed reducer needs a scope with a session.", nameof(scope));
        }
    }

    /// <summary>Initializes an in-memory reducer (no store).</summary>
    /// <param name="summarizer">The summarizer (wrap it in a <see cref="FallbackSummarizer"/> to survive model failures).</param>
    /// <param name="options">The options; <see cref="HierarchicalChatReducerOptions.TokenBudget"/> is required.</param>
    /// <param name="tokenCounter">The counter the budget is measured with; default o200k_base.</param>
    public LongMemoryChatHistoryReducer(ISummarizer summarizer, HierarchicalChatReducerOptions options, ITokenCounter? tokenCounter = null)
    {
        _inMemory = new HierarchicalChatReducer(Throw.IfNull(summarizer), tokenCounter ?? TiktokenTokenCounter.CreateO200kBase(), Throw.IfNull(options));
    }

    /// <summary>Creates an in-memory reducer that summarizes with a Semantic Kernel chat completion service.</summary>
    /// <param name="service">The service that writes the summaries.</param>
    /// <param name="tokenBudget">The history's token budget.</param>
    /// <param name="tokenCounter">The counter; default o200k_base.</param>
    /// <returns>The reducer.</returns>
    public static LongMemoryChatHistoryReducer Create(IChatCompletionService service, int tokenBudget, ITokenCounter? tokenCounter = null)
        => Create(Throw.IfNull(service).AsChatClient(), tokenBudget, tokenCounter);

    /// <summary>Creates an in-memory reducer that summarizes with an <see cref="IChatClient"/>.</summary>
    /// <param name="chatClient">The client that writes the summaries.</param>
    /// <param name="tokenBudget">The history's token budget.</param>
    /// <param name="tokenCounter">The counter; default o200k_base.</param>
    /// <returns>The reducer.</returns>
    public static LongMemoryChatHistoryReducer Create(IChatClient chatClient, int tokenBudget, ITokenCounter? tokenCounter = null)
    {
        var counter = tokenCounter ?? TiktokenTokenCounter.CreateO200kBase();
        var summarizer = new FallbackSummarizer(new ChatClientSummarizer(Throw.IfNull(chatClient), counter), new ExtractiveSummarizer(counter));
        return new LongMemoryChatHistoryReducer(summarizer, new HierarchicalChatReducerOptions { TokenBudget = tokenBudget }, counter);
    }

    /// <inheritdoc />
    public async Task<IEnumerable<ChatMessageContent>?> ReduceAsync(IReadOnlyList<ChatMessageContent> chatHistory, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(chatHistory);
        var map = new Dictionary<ChatMessage, ChatMessageContent>(ReferenceEqualityComparer.Instance);
        var messages = new List<ChatMessage>(chatHistory.Count);
        foreach (var content in chatHistory)
        {
            var message = ToChatMessage(content);
            map[message] = content;
            messages.Add(message);
        }

        var reduced = _inMemory is not null
            ? await ReduceInMemoryAsync(messages, cancellationToken).ConfigureAwait(false)
            : await ReduceStoredAsync(messages, cancellationToken).ConfigureAwait(false);
        return reduced?.Select(m => map.TryGetValue(m, out var original) ? original : ToContent(m)).ToList();
    }

    private async Task<IReadOnlyList<ChatMessage>?> ReduceInMemoryAsync(List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var result = (await _inMemory!.ReduceAsync(messages, cancellationToken).ConfigureAwait(false)).ToList();
        var unchanged = result.Count == messages.Count && result.Select((m, i) => ReferenceEquals(m, messages[i])).All(same => same);
        return unchanged ? null : result;
    }

    private async Task<IReadOnlyList<ChatMessage>?> ReduceStoredAsync(List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var scope = await _memory!.EnsureSessionAsync(_scope!, cancellationToken).ConfigureAwait(false);
        var system = messages.Where(m => m.Role == ChatRole.System && !IsSummary(m)).ToList();
        var conversation = messages.Where(m => m.Role != ChatRole.System).ToList();
        var fedBackSummaries = messages.Where(IsSummary).Select(m => m.Text).ToList();

        await _memory.RecordNewAsync(scope, conversation, cancellationToken).ConfigureAwait(false);
        await _memory.ReduceIfNeededAsync(scope, cancellationToken).ConfigureAwait(false);

        // The store's live messages are the conversation's tail: keep that many of the caller's own messages.
        var live = await _memory.CountLiveConversationAsync(scope, cancellationToken).ConfigureAwait(false);
        var summaries = await _memory.GetSummaryMessagesAsync(scope, cancellationToken).ConfigureAwait(false);
        if (live >= conversation.Count && summaries.Select(m => m.Text).SequenceEqual(fedBackSummaries, StringComparer.Ordinal))
        {
            return null;
        }

        var kept = conversation.Skip(Math.Max(0, conversation.Count - live)).ToList();
        return [.. system, .. summaries, .. kept];
    }

    private static bool IsSummary(ChatMessage message) => message.AdditionalProperties?.ContainsKey(HierarchicalChatReducer.SummaryLevelPropertyName) == true;

    private static ChatMessage ToChatMessage(ChatMessageContent content)
    {
        var message = content.ToChatMessage();
        if (content.Metadata?.TryGetValue(HierarchicalChatReducer.SummaryLevelPropertyName, out var level) == true)
        {
            message.AdditionalProperties ??= [];
            message.AdditionalProperties[HierarchicalChatReducer.SummaryLevelPropertyName] = level;
        }

        return message;
    }

    private static ChatMessageContent ToContent(ChatMessage message)
    {
        var metadata = new Dictionary<string, object?>();
        if (message.AdditionalProperties is { } properties)
        {
            foreach (var (key, value) in properties)
            {
                metadata[key] = value;
            }
        }

        return new ChatMessageContent(message.Role == ChatRole.System ? AuthorRole.System : new AuthorRole(message.Role.Value), message.Text, metadata: metadata);
    }
}
