using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Offline;

/// <summary>
/// A stand-in model for when no model server is available: placed under <c>LongMemoryChatClient</c>, it receives the
/// assembled prompt and answers by listing the memory blocks it was given. The full <see cref="PromptView"/> (every
/// recalled item, and the recent turns that match the question) travels with the response under
/// <see cref="PromptViewKey"/> for the host to display. It records the last prompt, so the demo can check what a real
/// model would have seen.
/// </summary>
/// <remarks>
/// The answer text names the blocks and counts their items but does not copy their content: the answer is stored and
/// indexed like any other, and copying recalled facts into it would make later recall find the copies instead of the
/// originals (and inflate the demo's recall figures).
/// </remarks>
internal sealed class OfflineRecallChatClient : IChatClient
{
    /// <summary>The <see cref="ChatResponse.AdditionalProperties"/> key under which the <see cref="PromptView"/> of the turn is attached.</summary>
    public const string PromptViewKey = "chathost.prompt_view";

    private int _calls;

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
        var text = Describe(view);
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

    /// <summary>Words the offline answer: the memory blocks received, with their item counts.</summary>
    /// <param name="view">The prompt.</param>
    /// <returns>The answer.</returns>
    internal static string Describe(PromptView view)
    {
        var recent = string.Create(CultureInfo.InvariantCulture, $"{view.RecentTurns.Count} recent message(s) in context");
        if (view.Blocks.Count == 0)
        {
            return "(offline) No memory block was recalled for this message; " + recent + ".";
        }

        var parts = view.Blocks.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Label} ({b.Items.Count})"));
        return "(offline) Memory gave me: " + string.Join(", ", parts) + "; " + recent + ".";
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
