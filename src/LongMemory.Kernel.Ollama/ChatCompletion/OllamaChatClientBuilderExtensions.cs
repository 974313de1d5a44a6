using LongMemory.Kernel;
using LongMemory.Kernel.Ollama;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="OllamaContextWindowChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class OllamaChatClientBuilderExtensions
{
    /// <summary>Sends <paramref name="contextLength"/> as Ollama's <c>num_ctx</c> on every call that does not set one.</summary>
    /// <param name="builder">The builder over OllamaSharp's <c>OllamaApiClient</c>.</param>
    /// <param name="contextLength">The token budget prompts are assembled for (<c>ChatMemoryOptions.Context.MaxContextTokens</c>). At least 1.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="contextLength"/> is less than 1.</exception>
    public static ChatClientBuilder UseOllamaContextWindow(this ChatClientBuilder builder, int contextLength)
    {
        Throw.IfNull(builder);
        Throw.IfLessThan(contextLength, 1);
        return builder.Use(inner => new OllamaContextWindowChatClient(inner, contextLength));
    }
}
