using LongMemory.Kernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LongMemory.Kernel in a service collection.</summary>
public static partial class LongMemoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ChatMemory"/> as a singleton with its options (validated at start-up), and a hosted service
    /// that recovers the indexing outbox at start, logs which summarizer and fact extractor are in use, and stops
    /// background indexing at shutdown.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>A builder for the store, index, embedder and summarizer model.</returns>
    /// <remarks>
    /// The memory works on its own copy of the options: the container's <c>IOptions&lt;ChatMemoryOptions&gt;</c> is
    /// never changed. Summaries and fact extraction use, in this order, <see cref="LongMemoryBuilder.UseSummarizerChatClient"/>,
    /// else the container's <see cref="IChatClient"/> (below the memory middleware when it is wrapped with it), else
    /// the offline summarizer; <see cref="LongMemoryBuilder.UseOfflineSummarizer"/> forces the offline one.
    /// </remarks>
    public static LongMemoryBuilder AddLongMemory(this IServiceCollection services, Action<ChatMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new LongMemoryBuilder(services);
        var optionsBuilder = services.AddOptions<ChatMemoryOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatMemoryOptions>, ChatMemoryOptionsValidator>());
        optionsBuilder.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => CreateMemory(sp, builder));
        services.AddHostedService<LongMemoryHostedService>();
        return builder;
    }

    private static ChatMemory CreateMemory(IServiceProvider sp, LongMemoryBuilder builder)
    {
        // One deep copy: ChatMemory completes its options (e.g. the reduction budget) and must not write into the container's.
        var options = OptionsCloner.Clone(sp.GetRequiredService<IOptions<ChatMemoryOptions>>().Value);
        var memoryBuilder = new ChatMemoryBuilder()
            .Configure(o => CopyInto(options, o))
            .UseTimeProvider(sp.GetRequiredService<TimeProvider>());
        if (builder.StorageFactory is { } storage)
        {
            memoryBuilder.UseStorage(components => storage(sp, components));
        }
        else if (builder.InMemory)
        {
            memoryBuilder.UseInMemoryDatabase();
        }
        else
        {
            memoryBuilder.UseSqlite(builder.DatabasePath);
        }

        if (sp.GetService<ILoggerFactory>() is { } loggers)
        {
            memoryBuilder.UseLoggerFactory(loggers);
        }

        if (builder.StorageIndependentIndexFactory is { } anyStorageIndex)
        {
            memoryBuilder.UseMemoryIndex(() => anyStorageIndex(sp));
        }
        else if (builder.IndexFactory is { } indexFactory)
        {
            memoryBuilder.UseMemoryIndex(db => indexFactory(sp, db));
        }
        else if (sp.GetService<IMemoryIndex>() is { } registeredIndex)
        {
            memoryBuilder.UseMemoryIndex(() => registeredIndex);
        }

        var embedder = builder.EmbedderFactory?.Invoke(sp) ?? sp.GetService<IEmbeddingGenerator<string, Embedding<float>>>();
        if (embedder is not null)
        {
            memoryBuilder.UseEmbeddingGenerator(embedder);
        }

        if (builder.TokenCounterFactory is { } counterFactory)
        {
            memoryBuilder.UseTokenCounter(counterFactory(sp));
        }

        IChatClient? summarizerClient = builder.SummarizerClientFactory?.Invoke(sp);
        if (summarizerClient is null && builder.UseContainerChatClientForSummaries
            && sp.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IChatClient)))
        {
            // Resolved on first use: the container's client may be the memory-enabled pipeline, which itself needs this
            // memory. Summaries go to the part below the memory middleware, never through it.
            summarizerClient = new ContainerChatClient(sp);
        }

        if (summarizerClient is not null)
        {
            memoryBuilder.UseSummarizerChatClient(summarizerClient).UseFactExtractorChatClient(summarizerClient);
        }

        return memoryBuilder.Build();
    }

    // ChatMemoryBuilder exposes its options only through Configure: the clone is moved in whole.
    private static void CopyInto(ChatMemoryOptions from, ChatMemoryOptions to)
    {
        foreach (var property in typeof(ChatMemoryOptions).GetProperties())
        {
            if (property.CanRead && property.SetMethod is { IsPublic: true })
            {
                property.SetValue(to, property.GetValue(from));
            }
        }
    }

    private sealed class ChatMemoryOptionsValidator : IValidateOptions<ChatMemoryOptions>
    {
        public ValidateOptionsResult Validate(string? name, ChatMemoryOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail("LongMemory options are invalid: " + ex.Message);
            }
        }
    }

    private sealed class LongMemoryHostedService(ChatMemory memory, ILoggerFactory? loggerFactory = null) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ChatMemory>();
            Log.Models(logger, Describe(memory.Summarizer), memory.FactExtractor is null ? "offline pattern extractor only" : Describe(memory.FactExtractor));
            return memory.StartAsync(cancellationToken);
        }

        public async Task StopAsync(CancellationToken cancellationToken) => await memory.WhenIdleAsync(cancellationToken).ConfigureAwait(false);

        private static string Describe(object part) => part switch
        {
            FallbackSummarizer => "model summarizer (ChatClientSummarizer, extractive fallback)",
            ChatClientSummarizer => "model summarizer (ChatClientSummarizer)",
            ExtractiveSummarizer => "offline extractive summarizer",
            _ => part.GetType().Name,
        };
    }

    /// <summary>The container's <see cref="IChatClient"/>, resolved on first use, with the memory middleware skipped.</summary>
    private sealed class ContainerChatClient(IServiceProvider services) : IChatClient
    {
        private readonly Lazy<IChatClient> _client = new(() => Unwrap(services.GetRequiredService<IChatClient>()));

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => _client.Value.GetResponseAsync(messages, options, cancellationToken);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => _client.Value.GetStreamingResponseAsync(messages, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => _client.Value.GetService(serviceType, serviceKey);

        public void Dispose()
        {
            // The container owns the client.
        }

        private static IChatClient Unwrap(IChatClient client)
            => client.GetService(typeof(LongMemoryChatClient)) is LongMemoryChatClient memoryClient ? memoryClient.Inner : client;
    }

    private static partial class Log
    {
        [LoggerMessage(70, LogLevel.Information, "LongMemory summarizer: {Summarizer}; fact extractor: {FactExtractor}.")]
        public static partial void Models(ILogger logger, string summarizer, string factExtractor);
    }
}
