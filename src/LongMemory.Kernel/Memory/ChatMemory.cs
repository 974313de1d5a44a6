using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// Long-term memory for chat: records and indexes messages, reduces long sessions into hierarchical summaries while
/// capturing knowledge, recalls the relevant past and assembles token-budgeted prompts. Every operation is scoped to a
/// <see cref="MemoryScope"/>; one user's data never reaches another user's results.
/// </summary>
/// <remarks>
/// Create one per application (it is thread-safe) with <see cref="ChatMemoryBuilder"/>, <c>services.AddLongMemory(...)</c>
/// or the constructor. Plug it between an app and its model with <see cref="LongMemoryChatClient"/>, and give the
/// model its tools with <see cref="CreateTools"/>.
/// </remarks>
public sealed partial class ChatMemory : IAsyncDisposable, IDisposable
{
    private readonly IDisposable? _ownedResource;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="ChatMemory"/> class from its parts.</summary>
    /// <param name="components">The stores, index, embedder, token counter and optional model-backed parts.</param>
    /// <param name="options">The options; validated here.</param>
    public ChatMemory(ChatMemoryComponents components, ChatMemoryOptions? options = null)
        : this(components, options, ownedResource: null)
    {
    }

    internal ChatMemory(ChatMemoryComponents components, ChatMemoryOptions? options, IDisposable? ownedResource)
    {
        Throw.IfNull(components);
        components.Validate();
        Options = options ?? new ChatMemoryOptions();
        Options.Validate();
        Sessions = components.Sessions!;
        Messages = components.Messages ?? (IMessageStore)components.Sessions!;
        Summaries = components.Summaries ?? (ISummaryStore)components.Sessions!;
        Outbox = components.Outbox ?? (IIndexOutbox)components.Sessions!;
        Index = components.Index!;
        ModelMemory = components.ModelMemory!;
        Documents = components.Documents;
        OwnerPurge = components.OwnerPurge;
        Embedder = components.EmbeddingGenerator!;
        DefaultVectorWeight = Options.DefaultVectorWeight ?? (IsOfflineEmbedder(Embedder) ? ChatMemoryOptions.OfflineEmbedderVectorWeight : 1.0);
        TokenCounter = components.TokenCounter!;
        var time = _time = components.TimeProvider ?? TimeProvider.System;
        var loggerFactory = components.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = _logger = loggerFactory.CreateLogger<ChatMemory>();
        _ownedResource = ownedResource;
        if (ownedResource is SqliteMemoryDatabase database && components.LoggerFactory is not null)
        {
            database.Logger = loggerFactory.CreateLogger<SqliteMemoryDatabase>();
        }

        // The composition: every part is built once, here, with its own dependencies; none of them knows this class.
        var presence = new CollectionPresence(Index, time);
        var chunker = new TextChunker(TokenCounter, new TextChunkerOptions { MaxChunkTokens = Options.ChunkMaxTokens });
        var sources = new IndexSources(Outbox, Messages, Summaries, components.Knowledge!, ModelMemory, Documents);
        var indexerSettings = new IndexerSettings(Options.EmbeddingBatchSize, Options.IndexMaxAttempts, Options.NearDuplicateThreshold, Options.IndexRetryBaseDelay, Options.IndexRetryMaxDelay);
        var indexer = new MemoryIndexer(sources, Index, Embedder, chunker, indexerSettings, time, loggerFactory.CreateLogger<MemoryIndexer>())
        {
            Indexed = presence.MarkPresent,
        };
        var worker = new IndexingWorker(indexer, time, Options.IndexRetryBaseDelay, loggerFactory.CreateLogger<IndexingWorker>());
        var indexing = new IndexingPipeline(indexer, worker, Options.IndexingMode, logger);
        Knowledge = new IndexedKnowledgeStore(components.Knowledge!, indexing.AfterWriteAsync);

        Summarizer = components.Summarizer ?? new ExtractiveSummarizer(TokenCounter);
        FactExtractor = components.FactExtractor;
        KnowledgeCapture = new KnowledgeCapture(Knowledge, FactExtractor, loggerFactory, new KnowledgeCaptureOptions { CaptureOnUserMessage = Options.CaptureKnowledgeOnEveryMessage });
        if (Options.Reduction.TokenBudget <= 0)
        {
            Options.Reduction.TokenBudget = Options.Context.PromptBudget;
        }

        Reducer = new HierarchicalChatReducer(Summarizer, TokenCounter, Options.Reduction, Messages, Summaries, KnowledgeCapture, loggerFactory);
        var restorer = new ConversationRestorer(Messages, Summaries, loggerFactory);
        var recaller = new MemoryRecaller(Sessions, Messages, Index, indexing, Options.CurrentSessionBoost, DefaultVectorWeight);
        Engine = new MemoryEngine
        {
            Sessions = Sessions,
            Messages = Messages,
            Outbox = Outbox,
            Indexing = indexing,
            Presence = presence,
            Recaller = recaller,
            Reader = new MemoryReader(Sessions, Messages, Summaries, Knowledge, ModelMemory),
            Writer = new MemoryWriter(
                Sessions, Messages, Knowledge, ModelMemory, Documents, Index, KnowledgeCapture, indexing, TokenCounter, time, logger,
                Options.CaptureKnowledgeOnEveryMessage, Options.NearDuplicateThreshold),
            Reducer = new SessionReducer(Sessions, Messages, Summaries, Knowledge, Reducer, restorer, Summarizer, TokenCounter, indexing, time, logger),
            Assembler = new ContextAssembler(Sessions, Messages, Summaries, Outbox, recaller, presence, indexing, TokenCounter, Options.Context),
            TokenCounter = TokenCounter,
            ContextOptions = Options.Context,
            Logger = logger,
        };
    }

    /// <summary>Gets the options.</summary>
    public ChatMemoryOptions Options { get; }

    // The raw stores are internal: the public data path is ForScope(scope), which carries the owner into every call.
    internal ISessionStore Sessions { get; }

    internal IMessageStore Messages { get; }

    internal ISummaryStore Summaries { get; }

    internal IIndexOutbox Outbox { get; }

    internal IKnowledgeStore Knowledge { get; }

    internal IModelMemoryStore ModelMemory { get; }

    internal IDocumentStore? Documents { get; }

    internal IOwnerPurge? OwnerPurge { get; }

    internal IMemoryIndex Index { get; }

    /// <summary>Gets the embedding generator.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Embedder { get; }

    /// <summary>
    /// Gets the vector weight (against a keyword weight of 1) that recall uses unless <see cref="RecallOptions.VectorWeight"/>
    /// is set, and that context assembly always uses: <see cref="ChatMemoryOptions.DefaultVectorWeight"/>, resolved.
    /// </summary>
    public double DefaultVectorWeight { get; }

    /// <summary>Gets the token counter.</summary>
    public ITokenCounter TokenCounter { get; }

    /// <summary>Gets the summarizer used by reduction.</summary>
    public ISummarizer Summarizer { get; }

    /// <summary>Gets the model-based fact extractor run after summarization rounds, if one is configured.</summary>
    public IFactExtractor? FactExtractor { get; }

    internal KnowledgeCapture KnowledgeCapture { get; }

    internal HierarchicalChatReducer Reducer { get; }

    /// <summary>Gets the engine's parts (recall, writing, reduction, assembly), shared by every scope and the middleware.</summary>
    internal MemoryEngine Engine { get; }

    private static bool IsOfflineEmbedder(IEmbeddingGenerator<string, Embedding<float>> embedder)
        => embedder.GetService(typeof(HashingEmbeddingGenerator)) is not null
           || (embedder.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata)?.ProviderName == HashingEmbeddingGenerator.ProviderName;

    /// <summary>
    /// Creates or upgrades storage and indexes whatever the outbox still holds from a previous run (crash recovery).
    /// Called automatically on first use; call it at start-up to do it early.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public Task StartAsync(CancellationToken cancellationToken = default) => Engine.Indexing.StartAsync(cancellationToken);

    /// <summary>
    /// Waits until the indexer has no pass running or requested: background indexing of recent writes, and retries the
    /// retry timer started (in every mode). Tests advance a fake <see cref="TimeProvider"/> and then wait here.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when indexing is idle.</returns>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => Engine.Indexing.WhenIdleAsync(cancellationToken);

    /// <summary>Indexes every outbox entry (any kind) that is pending, or failed and due for a retry, now.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of outbox entries processed (indexed or failed again).</returns>
    public Task<int> ProcessIndexBacklogAsync(CancellationToken cancellationToken = default) => Engine.Indexing.ProcessBacklogAsync(cancellationToken);

    /// <summary>Gets the indexing outbox counts of the whole store (an operator's view; a scope's own counts come from <see cref="ScopedMemory.GetIndexStatusAsync"/>).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts and the last error.</returns>
    public Task<IndexStatus> GetIndexStatusAsync(CancellationToken cancellationToken = default)
        => Outbox.GetIndexStatusAsync(null, null, cancellationToken);

    /// <summary>
    /// Gets the health of the SQLite database this memory owns (built with <see cref="ChatMemoryBuilder"/> or
    /// <c>AddLongMemory</c>): the write-ahead log's size and whether checkpoints succeed, after running a passive
    /// checkpoint now. <see langword="null"/> when the stores are not backed by a SQLite database of this memory.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The status, or <see langword="null"/>.</returns>
    public async Task<SqliteStorageStatus?> GetStorageStatusAsync(CancellationToken cancellationToken = default)
        => _ownedResource is SqliteMemoryDatabase { FilePath: not null } database
            ? await database.CheckpointAsync(cancellationToken).ConfigureAwait(false)
            : (_ownedResource as SqliteMemoryDatabase)?.GetStatus();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Engine.Indexing.DisposeAsync().ConfigureAwait(false);
        _ownedResource?.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>Stops the indexer and its retry timer (waiting for the batch in flight) so a container disposed synchronously works.</remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Checks that the scope names a session that exists, is active and belongs to the scope's owner.</summary>
    internal Task<ChatSession> RequireSessionAsync(MemoryScope scope, CancellationToken cancellationToken) => Sessions.RequireSessionAsync(scope, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(25, LogLevel.Information, "Session {SessionId} deleted (hard: {Hard}).")]
        public static partial void SessionDeleted(ILogger logger, string sessionId, bool hard);
    }
}
