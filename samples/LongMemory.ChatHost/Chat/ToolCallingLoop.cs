using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Chat;

/// <summary>
/// A small function-invocation loop: calls the client with the tools; while the answer asks for function calls, runs
/// them, appends the assistant message and a tool message with the results, and calls again (at most
/// <see cref="MaxRounds"/> rounds). Written out here, rather than taken from a package, so the sample shows the protocol.
/// </summary>
internal sealed class ToolCallingLoop
{
    /// <summary>The most model calls per user message.</summary>
    public const int MaxRounds = 5;

    private readonly IChatClient _client;
    private readonly IReadOnlyList<AIFunction> _tools;

    /// <summary>Initializes a new instance of the <see cref="ToolCallingLoop"/> class.</summary>
    /// <param name="client">The client (the memory-enabled one).</param>
    /// <param name="tools">The tools offered to the model.</param>
    public ToolCallingLoop(IChatClient client, IReadOnlyList<AIFunction> tools)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _tools = tools ?? throw new ArgumentNullException(nameof(tools));
    }

    /// <summary>Raised before a tool runs, with its name and arguments.</summary>
    public event Action<FunctionCallContent>? ToolCalling;

    /// <summary>Raised after a tool ran, with its result.</summary>
    public event Action<FunctionCallContent, FunctionResultContent>? ToolCalled;

    /// <summary>Answers one user message, running the tools the model asks for.</summary>
    /// <param name="userText">The user's message.</param>
    /// <param name="sessionId">The session (sent as <see cref="ChatOptions.ConversationId"/>).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The final response, the number of rounds and the tool calls made.</returns>
    public async Task<ToolLoopResult> RunAsync(string userText, string sessionId, CancellationToken cancellationToken = default)
    {
        var options = new ChatOptions
        {
            ConversationId = sessionId,
            Tools = [.. _tools],
            ToolMode = _tools.Count > 0 ? ChatToolMode.Auto : null,
        };

        // This turn's messages, resent each round as MEAI apps do; the memory client recognises what it already stored.
        var turn = new List<ChatMessage> { new(ChatRole.User, userText) };
        var calls = new List<(FunctionCallContent Call, FunctionResultContent Result)>();
        ChatResponse response;
        var round = 0;
        while (true)
        {
            round++;
            response = await _client.GetResponseAsync(turn, options, cancellationToken).ConfigureAwait(false);
            var requested = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (requested.Count == 0 || round >= MaxRounds)
            {
                break;
            }

            turn.AddRange(response.Messages);
            var results = new List<AIContent>();
            foreach (var call in requested)
            {
                ToolCalling?.Invoke(call);
                var result = await InvokeAsync(call, cancellationToken).ConfigureAwait(false);
                ToolCalled?.Invoke(call, result);
                calls.Add((call, result));
                results.Add(result);
            }

            turn.Add(new ChatMessage(ChatRole.Tool, results));
        }

        return new ToolLoopResult(response, round, calls);
    }

    private async Task<FunctionResultContent> InvokeAsync(FunctionCallContent call, CancellationToken cancellationToken)
    {
        var tool = _tools.FirstOrDefault(t => string.Equals(t.Name, call.Name, StringComparison.Ordinal));
        if (tool is null)
        {
            return new FunctionResultContent(call.CallId, $"Error: there is no tool named '{call.Name}'. Available: {string.Join(", ", _tools.Select(t => t.Name))}.");
        }

        try
        {
            var result = await tool.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken).ConfigureAwait(false);
            return new FunctionResultContent(call.CallId, result);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            // A bad call is the model's to fix: it gets the error as the result, the chat goes on.
            return new FunctionResultContent(call.CallId, "Error: " + ex.Message) { Exception = ex };
        }
    }
}
