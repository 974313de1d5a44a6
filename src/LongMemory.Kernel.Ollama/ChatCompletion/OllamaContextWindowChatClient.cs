using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Ollama;

/// <summary>
/// Middleware that sends Ollama's <c>num_ctx</c> (the context window the server runs the model with) on every call, so a
/// prompt assembled for a token budget is not silently cut to the server's default window.
/// </summary>
/// <remarks>
/// <para>
/// Ollama applies <c>options.num_ctx</c> per request; without it the model runs with the Modelfile's value or the
/// server's default (4096 tokens with less than 24 GiB of VRAM), and the oldest part of a longer prompt is dropped
/// without an error (only <c>prompt_eval_count</c> shows it). OllamaSharp's <c>OllamaApiClient</c> maps
/// <c>ChatOptions.AdditionalProperties["num_ctx"]</c> to that option; this client puts the budget there.
/// </para>
/// <para>
/// A call that sets <c>num_ctx</c> itself keeps its value. The caller's <see cref="ChatOptions"/> is cloned before it is
/// changed, never mutated. Place it between the memory middleware and the Ollama client:
/// <c>new OllamaApiClient(url, model).AsBuilder().UseOllamaContextWindow(budget).Build().WithLongMemory(memory)</c>.
/// </para>
/// </remarks>
public sealed class OllamaContextWindowChatClient : DelegatingChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key OllamaSharp maps to <c>options.num_ctx</c>.</summary>
    public const string NumCtxPropertyName = "num_ctx";

    /// <summary>Initializes a new instance of the <see cref="OllamaContextWindowChatClient"/> class.</summary>
    /// <param name="innerClient">The Ollama client, normally OllamaSharp's <c>OllamaApiClient</c>.</param>
    /// <param name="contextLength">The window to request, in tokens: the token budget prompts are assembled for. At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextLength"/> is less than 1.</exception>
    public OllamaContextWindowChatClient(IChatClient innerClient, int contextLength)
        : base(Throw.IfNull(innerClient))
    {
        ContextLength = Throw.IfLessThan(contextLength, 1);
    }

    /// <summary>Gets the window sent as <c>num_ctx</c> when a call does not set one.</summary>
    public int ContextLength { get; }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => base.GetResponseAsync(messages, WithNumCtx(options), cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => base.GetStreamingResponseAsync(messages, WithNumCtx(options), cancellationToken);

    private ChatOptions WithNumCtx(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.ContainsKey(NumCtxPropertyName) == true)
        {
            return options;
        }

        var copy = options?.Clone() ?? new ChatOptions();
        copy.AdditionalProperties = options?.AdditionalProperties is { } properties ? new AdditionalPropertiesDictionary(properties) : [];
        copy.AdditionalProperties[NumCtxPropertyName] = ContextLength;
        return copy;
    }
}
