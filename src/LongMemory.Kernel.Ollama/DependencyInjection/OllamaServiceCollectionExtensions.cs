using LongMemory.Kernel;
using LongMemory.Kernel.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OllamaSharp;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OllamaSharp's <see cref="OllamaApiClient"/> as the chat client and embedding generator.</summary>
public static class OllamaServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the chat client (and <see cref="IOllamaApiClient"/>) use.</summary>
    public const string ChatHttpClientName = "LongMemory.Kernel.Ollama.Chat";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the embedding generator uses.</summary>
    public const string EmbeddingHttpClientName = "LongMemory.Kernel.Ollama.Embeddings";

    /// <summary>
    /// Registers OllamaSharp's <see cref="OllamaApiClient"/> for <see cref="OllamaClientOptions.ChatModel"/>, wrapped in
    /// <see cref="OllamaContextWindowChatClient"/> so every call sends <see cref="OllamaClientOptions.ContextLength"/> as
    /// <c>num_ctx</c>, as the singleton <see cref="IChatClient"/>; and an <see cref="IOllamaApiClient"/> (if none is
    /// registered yet) for model listings and <see cref="OllamaContextWindow.GetContextLengthAsync"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Sets the endpoint, <see cref="OllamaClientOptions.ChatModel"/> and <see cref="OllamaClientOptions.ContextLength"/>
    /// (both required) and the timeout. The options are validated here, at start-up.
    /// </param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// Requests go through the named <see cref="IHttpClientFactory"/> client <see cref="ChatHttpClientName"/>, whose base
    /// address is <see cref="OllamaClientOptions.Endpoint"/> and whose <see cref="HttpClient.Timeout"/> is
    /// <see cref="OllamaClientOptions.Timeout"/>; add handlers to it with <c>services.AddHttpClient(ChatHttpClientName)</c>.
    /// OllamaSharp keeps the client it is given, so the singleton takes one from the factory when it is first resolved.
    /// </remarks>
    /// <exception cref="ArgumentException">An option is invalid, or the chat model or the context length is missing.</exception>
    public static IServiceCollection AddOllamaChatClient(this IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        var options = Configure(services, configure);
        if (string.IsNullOrWhiteSpace(options.ChatModel))
        {
            throw new ArgumentException("AddOllamaChatClient needs OllamaClientOptions.ChatModel (for example \"llama3.2\").", nameof(configure));
        }

        if (options.ContextLength is not int contextLength)
        {
            throw new ArgumentException(
                "AddOllamaChatClient needs OllamaClientOptions.ContextLength: set it to the token budget prompts are assembled for " +
                "(ChatMemoryOptions.Context.MaxContextTokens), or Ollama silently cuts longer prompts to its default window.",
                nameof(configure));
        }

        services.AddHttpClient(ChatHttpClientName, options.Configure);
        services.AddSingleton<IChatClient>(sp =>
        {
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(ChatHttpClientName);
            IChatClient ollama = new OllamaApiClient(http, options.ChatModel);
            return ollama.AsBuilder().UseOllamaContextWindow(contextLength).Build(sp);
        });
        services.TryAddSingleton<IOllamaApiClient>(sp =>
            new OllamaApiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(ChatHttpClientName), options.ChatModel));
        return services;
    }

    /// <summary>
    /// Registers OllamaSharp's <see cref="OllamaApiClient"/> for <see cref="OllamaClientOptions.EmbeddingModel"/> as the
    /// singleton <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of strings to <see cref="Embedding{T}"/> of
    /// <see cref="float"/>, and an <see cref="IOllamaApiClient"/> if none is registered yet.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the endpoint, <see cref="OllamaClientOptions.EmbeddingModel"/> (required) and the timeout. Validated here.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>Requests go through the named client <see cref="EmbeddingHttpClientName"/> with <see cref="OllamaClientOptions.Timeout"/>.</remarks>
    /// <exception cref="ArgumentException">An option is invalid, or the embedding model is missing.</exception>
    public static IServiceCollection AddOllamaEmbeddingGenerator(this IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        var options = Configure(services, configure);
        if (string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            throw new ArgumentException("AddOllamaEmbeddingGenerator needs OllamaClientOptions.EmbeddingModel (for example \"nomic-embed-text\").", nameof(configure));
        }

        services.AddHttpClient(EmbeddingHttpClientName, options.Configure);
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
            new OllamaApiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(EmbeddingHttpClientName), options.EmbeddingModel));
        services.TryAddSingleton<IOllamaApiClient>(sp =>
            new OllamaApiClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(EmbeddingHttpClientName), options.EmbeddingModel));
        return services;
    }

    private static OllamaClientOptions Configure(IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        Throw.IfNull(services);
        Throw.IfNull(configure);
        var options = new OllamaClientOptions();
        configure(options);
        options.Validate();
        return options.Clone();
    }
}
