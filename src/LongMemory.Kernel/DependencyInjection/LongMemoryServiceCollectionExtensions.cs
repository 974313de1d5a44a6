using LongMemory.Kernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LongMemory.Kernel in a service collection.</summary>
public static class LongMemoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ChatMemory"/> as a singleton with its options (validated at start-up), and a hosted service
    /// that recovers the indexing outbox at start and stops background indexing at shutdown.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>A builder for the store, index, embedder and summarizer model.</returns>
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
        var options = sp.GetRequiredService<IOptions<ChatMemoryOptions>>().Value;
        var memoryBuilder = new ChatMemoryBuilder()
            .Configure(o => Copy(options, o))
            .UseTimeProvider(sp.GetRequiredService<TimeProvider>());
        if (builder.InMemory)
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

        if (builder.IndexFactory is { } indexFactory)
        {
            memoryBuilder.UseMemoryIndex(db => indexFactory(sp, db));
        }
        else if (sp.GetService<IMemoryIndex>() is { } registeredIndex)
        {
            memoryBuilder.UseMemoryIndex(_ => registeredIndex);
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

        // The container's IChatClient may be the decorated (memory-enabled) one: summarizing through it would recurse,
        // so only an undecorated client is used for summaries.
        var summarizerClient = builder.SummarizerClientFactory?.Invoke(sp);
        if (summarizerClient is null && builder.UseContainerChatClientForSummaries
            && !sp.GetRequiredService<IServiceProviderIsService>().IsService(typeof(LongMemoryBuilder)))
        {
            summarizerClient = sp.GetService<IChatClient>();
        }

        if (summarizerClient is not null)
        {
            memoryBuilder.UseSummarizerChatClient(summarizerClient).UseFactExtractorChatClient(summarizerClient);
        }

        return memoryBuilder.Build();
    }

    private static void Copy(ChatMemoryOptions from, ChatMemoryOptions to)
    {
        to.IndexingMode = from.IndexingMode;
        to.BackgroundQueueCapacity = from.BackgroundQueueCapacity;
        to.IndexMaxAttempts = from.IndexMaxAttempts;
        to.EmbeddingBatchSize = from.EmbeddingBatchSize;
        to.IndexRetryBaseDelay = from.IndexRetryBaseDelay;
        to.IndexRetryMaxDelay = from.IndexRetryMaxDelay;
        to.ChunkMaxTokens = from.ChunkMaxTokens;
        to.NearDuplicateThreshold = from.NearDuplicateThreshold;
        to.CurrentSessionBoost = from.CurrentSessionBoost;
        to.CaptureKnowledgeOnEveryMessage = from.CaptureKnowledgeOnEveryMessage;
        to.Reduction = from.Reduction;
        to.Context = from.Context;
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

    private sealed class LongMemoryHostedService(ChatMemory memory) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => memory.StartAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken) => await memory.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
    }
}
