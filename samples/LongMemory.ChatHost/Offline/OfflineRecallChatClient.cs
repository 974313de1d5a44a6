using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Offline;

/// <summary>
/// A stand-in model for when no model server is available: placed under <c>LongMemoryChatClient</c>, it receives the
/// assembled prompt and answers by listing the memory it was given (knowledge, model memory, past conversation,
/// summaries, restored messages) and the recent turns that match the question. It records the last prompt, so the
/// demo can check what a real model would have seen.
/// </summary>
internal sealed class OfflineRecallChatClient : IChatClient
{
    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key under which the <see cref="PromptView"/> of the turn is attached.</summary>
    public const string PromptViewKey = "chathost.prompt_view";

    private readonly OfflineReplyStyle _style;
    private int _calls;

    /// <summary>Initializes a new instance of the <see cref="OfflineRecallChatClient"/> class.</summary>
    /// <param name="style">How to word answers.</param>
    public OfflineRecallChatClient(OfflineReplyStyle style = OfflineReplyStyle.ListMemory) => _style = style;

    /// <summary>Gets the messages of the last call, exactly as received.</summary>
    public IReadOnlyList<ChatMessage> LastPrompt { get; private set; } = [];

    /// <summary>Gets the view of the last prompt.</summary>
    public PromptView? LastView { get; private set; }

    /// <summary>Gets the number of calls.</summary>
    public int Calls => _calls;

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var prompt = messages.ToList();
        var view = PromptInspector.Inspect(prompt);
        LastPrompt = prompt;
        LastView = view;
        var call = Interlocked.Increment(ref _calls);
        var text = _style == OfflineReplyStyle.ListMemory ? ListMemory(view) : Counts(view);
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = "offline-" + call.ToString(CultureInfo.InvariantCulture),
            ModelId = "offline-recall",
            FinishReason = ChatFinishReason.Stop,
            AdditionalProperties = new() { [PromptViewKey] = view },
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string ListMemory(PromptView view)
    {
        var text = new StringBuilder();
        text.Append("(offline recall mode: no model is connected, so here is what memory gave me for your message)\n");
        if (view.Blocks.Count == 0 && view.MatchingRecentTurns.Count == 0)
        {
            text.Append("Nothing relevant was recalled for this message.");
            return text.ToString();
        }

        foreach (var block in view.Blocks)
        {
            text.Append('\n').Append(block.Label).Append(":\n");
            foreach (var item in block.Items)
            {
                text.Append("  - ").Append(OneLine(item.Text, 200));
                if (item.Source.Length > 0)
                {
                    text.Append("  [").Append(item.Source).Append(item.Date is null ? string.Empty : ", " + item.Date).Append(']');
                }

                text.Append('\n');
            }
        }

        if (view.MatchingRecentTurns.Count > 0)
        {
            text.Append("\nMatching recent turns (verbatim in the prompt):\n");
            foreach (var turn in view.MatchingRecentTurns)
            {
                text.Append("  - ").Append(turn.Role.Value).Append(": ").Append(OneLine(turn.Text, 200)).Append('\n');
            }
        }

        return text.ToString().TrimEnd();
    }

    private static string Counts(PromptView view)
    {
        if (view.Blocks.Count == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"(offline) Noted. No memory block; {view.RecentTurns.Count} recent messages in context.");
        }

        var parts = view.Blocks.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Label.ToLowerInvariant()} x{b.Items.Count}"));
        return string.Create(CultureInfo.InvariantCulture, $"(offline) Noted. Memory gave me {string.Join(", ", parts)}; {view.RecentTurns.Count} recent messages in context.");
    }

    /// <summary>Shortens a text to one line of at most <paramref name="max"/> characters.</summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The maximum length.</param>
    /// <returns>The line.</returns>
    internal static string OneLine(string text, int max)
    {
        var line = string.Join(' ', (text ?? string.Empty).Split(['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }
}
