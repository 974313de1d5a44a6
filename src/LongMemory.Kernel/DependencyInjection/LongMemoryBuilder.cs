using LongMemory.Kernel;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the long-term memory registered by <see cref="LongMemoryServiceCollectionExtensions.AddLongMemory"/>.</summary>
public sealed class LongMemoryBuilder
{
    internal LongMemoryBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection.</summary>
    public IServiceCollection Services { get; }

    internal string? DatabasePath { get; private set; }

    internal bool InMemory { get; private set; }

    internal Func<IServiceProvider, SqliteMemoryDatabase, IMemoryIndex>? IndexFactory { get; private set; }

    internal Func<IServiceProvider, IMemoryIndex>? StorageIndependentIndexFactory { get; private set; }

    internal Func<IServiceProvider, ChatMemoryComponents, IDisposable?>? StorageFactory { get; private set; }

    internal Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>>? EmbedderFactory { get; private set; }

    internal Func<IServiceProvider, IChatClient>? SummarizerClientFactory { get; private set; }

    internal Func<IServiceProvider, ITokenCounter>? TokenCounterFactory { get; private set; }

    internal bool UseContainerChatClientForSummaries { get; private set; } = true;

    /// <summary>Stores memory in a SQLite file (default: <see cref="ChatMemoryBuilder.DefaultDatabasePath"/>).</summary>
    /// <param name="path">The database file path.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseSqlite(string? path = null)
    {
        DatabasePath = path ?? ChatMemoryBuilder.DefaultDatabasePath;
        InMemory = false;
        StorageFactory = null;
        return this;
    }

    /// <summary>Stores memory in an in-memory SQLite database (tests, demos).</summary>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseInMemoryDatabase()
    {
        InMemory = true;
        StorageFactory = null;
        return this;
    }

    /// <summary>
    /// Takes the stores from another storage backend instead of SQLite (PostgreSQL's <c>UsePostgreSql</c> calls this);
    /// see <see cref="ChatMemoryBuilder.UseStorage"/>.
    /// </summary>
    /// <param name="factory">
    /// Sets the store properties (and optionally a default index) of the components, which already hold the clock, logger
    /// factory, embedder and token counter; returns what the memory disposes with itself, or <see langword="null"/> when
    /// the container owns everything.
    /// </param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseStorage(Func<IServiceProvider, ChatMemoryComponents, IDisposable?> factory)
    {
        StorageFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Uses another memory index (Qdrant's <c>UseQdrant</c> calls this).</summary>
    /// <param name="factory">Creates the index.</param>
    /// <returns>This builder.</returns>
    /// <remarks>The factory needs the SQLite stores; with <see cref="UseStorage"/> use <see cref="UseMemoryIndex(Func{IServiceProvider, IMemoryIndex})"/>.</remarks>
    public LongMemoryBuilder UseMemoryIndex(Func<IServiceProvider, SqliteMemoryDatabase, IMemoryIndex> factory)
    {
        IndexFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        StorageIndependentIndexFactory = null;
        return this;
    }

    /// <summary>Uses another memory index (Qdrant's <c>UseQdrant</c> calls this) with any storage backend.</summary>
    /// <param name="factory">Creates the index.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseMemoryIndex(Func<IServiceProvider, IMemoryIndex> factory)
    {
        StorageIndependentIndexFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        IndexFactory = null;
        return this;
    }

    /// <summary>Uses an embedding generator. Without this, one registered in the container is used, else the offline hashing embedder.</summary>
    /// <param name="factory">Creates the generator.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseEmbeddingGenerator(Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> factory)
    {
        EmbedderFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Summarizes (and extracts knowledge) with this model. Without this, an <see cref="IChatClient"/> registered in the container is used, else the offline summarizer.</summary>
    /// <param name="factory">Creates the client.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseSummarizerChatClient(Func<IServiceProvider, IChatClient> factory)
    {
        SummarizerClientFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Summarizes offline (extractive) even when the container has an <see cref="IChatClient"/>.</summary>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseOfflineSummarizer()
    {
        SummarizerClientFactory = null;
        UseContainerChatClientForSummaries = false;
        return this;
    }

    /// <summary>Uses another token counter.</summary>
    /// <param name="factory">Creates the counter.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder UseTokenCounter(Func<IServiceProvider, ITokenCounter> factory)
    {
        TokenCounterFactory = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>
    /// Wraps the <see cref="IChatClient"/> registered in the container with <see cref="LongMemoryChatClient"/>, so that
    /// everything resolving <see cref="IChatClient"/> gets memory. Register the model's client before calling this.
    /// The user and session are resolved per call (see <see cref="LongMemoryChatClient"/>); with MEAI's
    /// <c>AddChatClient(...)</c> pipelines, prefer <c>.UseLongMemory(...)</c> on the <see cref="ChatClientBuilder"/>.
    /// </summary>
    /// <param name="configure">Sets the user resolver, anonymous sessions and the report callback.</param>
    /// <returns>This builder.</returns>
    public LongMemoryBuilder DecorateChatClient(Action<IServiceProvider, LongMemoryChatClientOptions>? configure = null)
    {
        var existing = Services.LastOrDefault(d => d.ServiceType == typeof(IChatClient) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("No IChatClient is registered; register the model's client before DecorateChatClient().");
        Services.Remove(existing);
        Services.Add(ServiceDescriptor.Describe(
            typeof(IChatClient),
            sp =>
            {
                var inner = (IChatClient)(existing.ImplementationInstance
                    ?? existing.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!));
                var options = new LongMemoryChatClientOptions();
                configure?.Invoke(sp, options);
                return new LongMemoryChatClient(inner, sp.GetRequiredService<ChatMemory>(), options, sp);
            },
            existing.Lifetime));
        return this;
    }
}
