using System.Globalization;
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
    private readonly MemoryIndexer _indexer;
    private readonly IndexingWorker _worker;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _startup = new(1, 1);
    private readonly IDisposable? _ownedResource;
    private volatile bool _started;

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
        Knowledge = new IndexedKnowledgeStore(components.Knowledge!, (deleted, ct) => AfterWriteAsync(deleted, ct));
        ModelMemory = components.ModelMemory!;
        Documents = components.Documents;
        OwnerPurge = components.OwnerPurge;
        Embedder = components.EmbeddingGenerator!;
        DefaultVectorWeight = Options.DefaultVectorWeight ?? (IsOfflineEmbedder(Embedder) ? ChatMemoryOptions.OfflineEmbedderVectorWeight : 1.0);
        TokenCounter = components.TokenCounter!;
        _time = components.TimeProvider ?? TimeProvider.System;
        var loggerFactory = components.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChatMemory>();
        _ownedResource = ownedResource;
        if (ownedResource is SqliteMemoryDatabase database && components.LoggerFactory is not null)
        {
            database.Logger = loggerFactory.CreateLogger<SqliteMemoryDatabase>();
        }

        var chunker = new TextChunker(TokenCounter, new TextChunkerOptions { MaxChunkTokens = Options.ChunkMaxTokens });
        var sources = new IndexSources(Outbox, Messages, Summaries, components.Knowledge!, ModelMemory, Documents);
        _indexer = new MemoryIndexer(sources, Index, Embedder, chunker, Options, _time, loggerFactory.CreateLogger<MemoryIndexer>())
        {
            Indexed = MarkPresent,
        };
        _worker = new IndexingWorker(_indexer, _time, Options.IndexRetryBaseDelay, loggerFactory.CreateLogger<IndexingWorker>());

        Summarizer = components.Summarizer ?? new ExtractiveSummarizer(TokenCounter);
        FactExtractor = components.FactExtractor;
        KnowledgeCapture = new KnowledgeCapture(Knowledge, FactExtractor, loggerFactory, new KnowledgeCaptureOptions { CaptureOnUserMessage = Options.CaptureKnowledgeOnEveryMessage });
        if (Options.Reduction.TokenBudget <= 0)
        {
            Options.Reduction.TokenBudget = Options.Context.PromptBudget;
        }

        Reducer = new HierarchicalChatReducer(Summarizer, TokenCounter, Options.Reduction, Messages, Summaries, KnowledgeCapture, loggerFactory);
        Restorer = new ConversationRestorer(Messages, Summaries, loggerFactory);
        Assembler = new ContextAssembler(this);
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

    internal ConversationRestorer Restorer { get; }

    internal ContextAssembler Assembler { get; }

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal MemoryIndexer Indexer => _indexer;

    private static bool IsOfflineEmbedder(IEmbeddingGenerator<string, Embedding<float>> embedder)
        => embedder.GetService(typeof(HashingEmbeddingGenerator)) is not null
           || (embedder.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata)?.ProviderName == HashingEmbeddingGenerator.ProviderName;

    /// <summary>
    /// Creates or upgrades storage and indexes whatever the outbox still holds from a previous run (crash recovery).
    /// Called automatically on first use; call it at start-up to do it early.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            return;
        }

        await _startup.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                return;
            }

            try
            {
                await _indexer.EnsureModelAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (EmbeddingModelMismatchException or OperationCanceledException or LongMemoryStoreException or OutOfMemoryException))
            {
                // The embedder is down: storing still works; indexing checks the model again and its entries wait in the outbox.
                Log.EmbedderUnavailable(_logger, ex);
            }

            _started = true;
            _worker.Start();

            // Recovery: whatever the outbox holds from a previous run (every kind) is indexed now; inline mode waits for it.
            var recovery = _worker.Request();
            if (Options.IndexingMode == IndexingMode.Inline)
            {
                await recovery.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _startup.Release();
        }
    }

    /// <summary>
    /// Waits until the indexer has no pass running or requested: background indexing of recent writes, and retries the
    /// retry timer started (in every mode). Tests advance a fake <see cref="TimeProvider"/> and then wait here.
    /// </summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when indexing is idle.</returns>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default) => _worker.WhenIdleAsync(cancellationToken);

    /// <summary>Indexes every outbox entry (any kind) that is pending, or failed and due for a retry, now.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of outbox entries processed (indexed or failed again).</returns>
    public async Task<int> ProcessIndexBacklogAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await _indexer.DrainAsync(cancellationToken).ConfigureAwait(false);
    }

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

    internal Task<IndexStatus> GetScopeIndexStatusAsync(MemoryScope scope, CancellationToken cancellationToken)
        => Outbox.GetIndexStatusAsync(scope.Owner, scope.SessionId, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync().ConfigureAwait(false);
        _startup.Dispose();
        _ownedResource?.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>Stops the indexer and its retry timer (waiting for the batch in flight) so a container disposed synchronously works.</remarks>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Checks that the scope names a session that exists, is active and belongs to the scope's user.</summary>
    internal async Task<ChatSession> RequireSessionAsync(MemoryScope scope, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        if (scope.SessionId is null)
        {
            throw new ArgumentException("This operation needs a scope with a session id.", nameof(scope));
        }

        // Owner-scoped: another owner's session with the same id is simply not found (its existence is not disclosed).
        var session = await Sessions.GetSessionAsync(scope.Owner, scope.SessionId, includeDeleted: false, cancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            throw new SessionNotFoundException(scope.SessionId);
        }

        return session;
    }

    internal static string FormatId(string prefix, long id) => prefix + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Announces a write whose outbox entries are committed. Inline mode waits for the indexing pass (its own entries
    /// are indexed, or recorded as failed, before the call returns); background mode does not, except for deletions and
    /// forgetting, which always wait so a forgotten item has left recall when the call returns. Indexing failures never
    /// surface here: they are recorded on the entries and retried.
    /// </summary>
    internal async Task AfterWriteAsync(bool deletion, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return; // StartAsync's recovery pass picks the entries up.
        }

        if (Options.IndexingMode == IndexingMode.Inline)
        {
            try
            {
                await _worker.RunInlineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LongMemoryStoreException ex)
            {
                // The row is committed with its outbox entry; the retry timer comes back for it.
                Log.InlinePassFailed(_logger, ex);
            }

            return;
        }

        var pass = _worker.Request();
        if (deletion)
        {
            await pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "The embedding generator is unavailable at start-up; writes are stored and indexed when it is back.")]
        public static partial void EmbedderUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(26, LogLevel.Error, "Indexing after a write failed in the store; the outbox keeps the entries and the retry timer tries again.")]
        public static partial void InlinePassFailed(ILogger logger, Exception exception);

        [LoggerMessage(21, LogLevel.Information, "Session {SessionId}: stored {MessageCount} messages ({TokenCount} tokens).")]
        public static partial void Stored(ILogger logger, string sessionId, int messageCount, int tokenCount);

        [LoggerMessage(22, LogLevel.Information, "Session {SessionId}: reduction created {SummaryCount} summaries and trimmed {TrimmedCount} messages.")]
        public static partial void Reduced(ILogger logger, string sessionId, int summaryCount, int trimmedCount);



        [LoggerMessage(25, LogLevel.Information, "Session {SessionId} deleted (hard: {Hard}).")]
        public static partial void SessionDeleted(ILogger logger, string sessionId, bool hard);
    }
}
