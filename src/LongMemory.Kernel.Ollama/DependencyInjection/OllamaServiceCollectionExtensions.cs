using LongMemory.Kernel.Ollama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Ollama chat client and embedding generator.</summary>
public static class OllamaServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the chat client (and <see cref="OllamaApiClient"/>) use.</summary>
    public const string ChatHttpClientName = "LongMemory.Kernel.Ollama.Chat";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the embedding generator uses.</summary>
    public const string EmbeddingHttpClientName = "LongMemory.Kernel.Ollama.Embeddings";

    /// <summary>
    /// Registers an <see cref="OllamaChatClient"/> as the singleton <see cref="IChatClient"/>, and an <see cref="OllamaApiClient"/>
    /// (if none is registered yet) for availability and context-length checks.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the endpoint, <see cref="OllamaClientOptions.ChatModel"/> and timeouts. The options are validated here, at start-up.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>
    /// Requests go through the named <see cref="IHttpClientFactory"/> client <see cref="ChatHttpClientName"/>, whose
    /// <see cref="HttpClient.Timeout"/> is <see cref="OllamaClientOptions.Timeout"/>; add handlers to it with
    /// <c>services.AddHttpClient(ChatHttpClientName)</c>. A client is taken from the factory per request, so handler rotation works.
    /// </remarks>
    public static IServiceCollection AddOllamaChatClient(this IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        var options = Configure(services, configure);
        services.AddHttpClient(ChatHttpClientName, client => client.Timeout = options.Timeout);
        services.AddSingleton<IChatClient>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new OllamaChatClient(() => factory.CreateClient(ChatHttpClientName), options, sp.GetService<ILoggerFactory>());
        });
        AddApiClient(services, options, ChatHttpClientName);
        return services;
    }

    /// <summary>
    /// Registers an <see cref="OllamaEmbeddingGenerator"/> as the singleton <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
    /// of strings to <see cref="Embedding{T}"/> of <see cref="float"/>, and an <see cref="OllamaApiClient"/> if none is registered yet.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the endpoint, <see cref="OllamaClientOptions.EmbeddingModel"/>, batch size and dimensions. Validated here.</param>
    /// <returns>The service collection.</returns>
    /// <remarks>Requests go through the named client <see cref="EmbeddingHttpClientName"/> with <see cref="OllamaClientOptions.Timeout"/>.</remarks>
    public static IServiceCollection AddOllamaEmbeddingGenerator(this IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        var options = Configure(services, configure);
        if (string.IsNullOrWhiteSpace(options.EmbeddingModel))
        {
            throw new ArgumentException("AddOllamaEmbeddingGenerator needs OllamaClientOptions.EmbeddingModel (for example \"nomic-embed-text\").", nameof(configure));
        }

        services.AddHttpClient(EmbeddingHttpClientName, client => client.Timeout = options.Timeout);
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new OllamaEmbeddingGenerator(() => factory.CreateClient(EmbeddingHttpClientName), options, sp.GetService<ILoggerFactory>());
        });
        AddApiClient(services, options, EmbeddingHttpClientName);
        return services;
    }

    private static OllamaClientOptions Configure(IServiceCollection services, Action<OllamaClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new OllamaClientOptions();
        configure(options);
        options.Validate();
        return options;
    }

    private static void AddApiClient(IServiceCollection services, OllamaClientOptions options, string httpClientName) =>
        services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new OllamaApiClient(() => factory.CreateClient(httpClientName), options, sp.GetService<ILoggerFactory>());
        });
}
