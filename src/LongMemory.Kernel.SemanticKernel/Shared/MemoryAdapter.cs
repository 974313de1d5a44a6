using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Integration;

/// <summary>
/// Every call the integration packages make into <see cref="ChatMemory"/>, in one place, so a change of the core's API
/// is one edit here. Compiled into the Semantic Kernel and Agent Framework packages.
/// </summary>
internal sealed class MemoryAdapter(ChatMemory memory)
{
    /// <summary>The label every recalled block starts with ("[Memory: label]"), as the core's context assembly writes it.</summary>
    internal const string BlockPrefix = "[Memory: ";

    internal const string KnowledgeLabel = "Knowledge about the user";
    internal const string ModelMemoryLabel = "Saved notes (model memory)";
    internal const string PastConversationLabel = "Relevant past conversation";
    internal const string DocumentsLabel = "Document context";
    internal const string SummaryLabel = "Summary of earlier conversation";
    internal const string RestoredLabel = "Restored earlier messages";

    public ChatMemory Memory { get; } = Throw.IfNull(memory);

    public ITokenCounter TokenCounter => Memory.TokenCounter;

    public int PromptBudget => Memory.Options.Context.PromptBudget;

    /// <summary>Opens the scope's session, creating it for its owner when it does not exist (session ids are per owner).</summary>
    public async Task<MemoryScope> EnsureSessionAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        await Memory.GetOrCreateSessionAsync(scope, cancellationToken).ConfigureAwait(false);
        return scope;
    }

    /// <summary>
    /// Records the messages of <paramref name="conversation"/> the session does not hold yet: the longest prefix that
    /// equals the stored tail is recognised as already stored. Returns the number of messages stored.
    /// </summary>
    public async Task<int> RecordNewAsync(MemoryScope scope, IReadOnlyList<ChatMessage> conversation, CancellationToken cancellationToken)
    {
        if (conversation.Count == 0)
        {
            return 0;
        }

        var scoped = Memory.ForScope(scope);
        var tail = await scoped.GetMessagesAsync(new MessageQuery { Newest = true, Take = conversation.Count }, cancellationToken).ConfigureAwait(false);
        var known = KnownPrefixLength(conversation, tail);
        var fresh = conversation.Skip(known).ToList();
        if (fresh.Count > 0)
        {
            await scoped.AddMessagesAsync(fresh, cancellationToken).ConfigureAwait(false);
        }

        return fresh.Count;
    }

    /// <summary>Appends messages as they are (the caller knows they are new).</summary>
    public Task AppendAsync(MemoryScope scope, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
        => messages.Count == 0 ? Task.CompletedTask : Memory.ForScope(scope).AddMessagesAsync(messages, cancellationToken);

    public Task<ReductionResult> ReduceIfNeededAsync(MemoryScope scope, CancellationToken cancellationToken)
        => Memory.ForScope(scope).ReduceIfNeededAsync(cancellationToken);

    /// <summary>The session's live (untrimmed) conversation messages, oldest first: what a reduced history replays.</summary>
    public async Task<IReadOnlyList<ChatMessage>> GetLiveConversationAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        var live = await Memory.ForScope(scope).GetMessagesAsync(new MessageQuery { IncludeTrimmed = false }, cancellationToken).ConfigureAwait(false);
        return live.Where(m => m.MessageType is StoredMessageType.Chat or StoredMessageType.Tool).Select(ToChatMessage).ToList();
    }

    public async Task<int> CountLiveConversationAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        var live = await Memory.ForScope(scope).GetMessagesAsync(new MessageQuery { IncludeTrimmed = false }, cancellationToken).ConfigureAwait(false);
        return live.Count(m => m.MessageType is StoredMessageType.Chat or StoredMessageType.Tool);
    }

    /// <summary>The session's active summaries, oldest first, as system messages in the in-memory reducer's format.</summary>
    public async Task<IReadOnlyList<ChatMessage>> GetSummaryMessagesAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        var summaries = await Memory.ForScope(scope).GetSummariesAsync(activeOnly: true, cancellationToken).ConfigureAwait(false);
        return summaries.OrderBy(s => s.FirstMessageId).Select(s => new ChatMessage(ChatRole.System, $"[{HierarchicalChatReducer.SummaryLabel}, level {s.Level}]\n{s.Content}")
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [HierarchicalChatReducer.SummaryLevelPropertyName] = s.Level },
        }).ToList();
    }

    public Task<AssembledContext> AssembleAsync(MemoryScope scope, IReadOnlyList<ChatMessage> newMessages, CancellationToken cancellationToken)
        => Memory.ForScope(scope).AssembleContextAsync(newMessages, null, cancellationToken);

    public IReadOnlyList<AIFunction> CreateTools(MemoryScope scope, MemoryToolSet toolSet = MemoryToolSet.Full) => Memory.ForScope(scope).CreateTools(toolSet);

    /// <summary>
    /// The recalled part of an assembled prompt, as one instructions text: the core's memory notice and the labelled,
    /// fenced blocks named in <paramref name="labels"/>, kept within <paramref name="maxTokens"/> (the lowest-priority
    /// block goes first). The fencing is the core's; nothing is re-rendered here.
    /// </summary>
    public string? RecalledInstructions(AssembledContext context, IReadOnlyList<string> labels, int maxTokens)
    {
        var messages = context.Messages;
        if (messages.Count == 0 || messages[0].Role != ChatRole.System)
        {
            return null;
        }

        var notice = messages[0].Text;
        var blocks = messages
            .Where(m => m.Role == ChatRole.System && m.Text is { } t && t.StartsWith(BlockPrefix, StringComparison.Ordinal))
            .Select(m => (Label: LabelOf(m.Text!), m.Text))
            .Where(b => labels.Contains(b.Label))
            .OrderBy(b => labels.ToList().IndexOf(b.Label))
            .ToList();
        if (blocks.Count == 0)
        {
            return null;
        }

        while (blocks.Count > 0 && Count(notice, blocks) > maxTokens)
        {
            blocks.RemoveAt(blocks.Count - 1);
        }

        return blocks.Count == 0 ? null : Join(notice, blocks);

        int Count(string n, List<(string Label, string Text)> b) => TokenCounter.CountTokens(Join(n, b));

        static string Join(string n, List<(string Label, string Text)> b)
        {
            var text = new StringBuilder(n);
            foreach (var block in b)
            {
                text.Append("\n\n").Append(block.Text);
            }

            return text.ToString();
        }
    }

    internal static string LabelOf(string blockText)
    {
        var end = blockText.IndexOf(']', StringComparison.Ordinal);
        return end < 0 ? string.Empty : blockText[BlockPrefix.Length..end];
    }

    private static ChatMessage ToChatMessage(StoredMessage message)
    {
        if (message.ContentsJson is { Length: > 0 } json)
        {
            var contents = System.Text.Json.JsonSerializer.Deserialize<IList<AIContent>>(json, AIJsonUtilities.DefaultOptions) ?? [];
            return new ChatMessage(message.Role, contents) { CreatedAt = message.CreatedAt, MessageId = message.ResponseId };
        }

        return new ChatMessage(message.Role, message.Content) { CreatedAt = message.CreatedAt, MessageId = message.ResponseId };
    }

    private static int KnownPrefixLength(IReadOnlyList<ChatMessage> conversation, IReadOnlyList<StoredMessage> storedTail)
    {
        var stored = storedTail.Select(m => m.ContentsJson is null ? m.Role.Value + "\n" + m.Content : Fingerprint(ToChatMessage(m))).ToList();
        var incoming = conversation.Select(Fingerprint).ToList();
        for (var k = Math.Min(incoming.Count, stored.Count); k > 0; k--)
        {
            var match = true;
            for (var i = 0; i < k && match; i++)
            {
                match = string.Equals(incoming[i], stored[stored.Count - k + i], StringComparison.Ordinal);
            }

            if (match)
            {
                return k;
            }
        }

        return 0;
    }

    // The same recognition the middleware uses: what survives conversions between frameworks (text, call ids, names).
    private static string Fingerprint(ChatMessage message)
    {
        var text = new StringBuilder(message.Role.Value).Append('\n');
        foreach (var content in message.Contents)
        {
            _ = content switch
            {
                TextContent t => text.Append(t.Text),
                FunctionCallContent call => text.Append("\u0001call:").Append(call.CallId).Append(':').Append(call.Name),
                FunctionResultContent result => text.Append("\u0001result:").Append(result.CallId),
                DataContent data => text.Append("\u0001data:").Append(data.MediaType).Append(':').Append(data.Data.Length),
                UriContent uri => text.Append("\u0001uri:").Append(uri.Uri),
                _ => text.Append('\u0001').Append(content.GetType().Name),
            };
        }

        return text.ToString();
    }
}
