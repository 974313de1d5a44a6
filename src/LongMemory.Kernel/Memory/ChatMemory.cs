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
    private readonly BackgroundIndexer? _background;
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
        Knowledge = new IndexedKnowledgeStore(
            components.Knowledge!,
            (owner, entries, ct) => IndexKnowledgeAsync(owner, entries, ct),
            (owner, key, ct) => Index.DeleteAsync(owner, MemoryCollections.Knowledge, [KnowledgeItemId(key)], ct));
        ModelMemory = components.ModelMemory!;
        Embedder = components.EmbeddingGenerator!;
        DefaultVectorWeight = Options.DefaultVectorWeight ?? (IsOfflineEmbedder(Embedder) ? ChatMemoryOptions.OfflineEmbedderVectorWeight : 1.0);
        TokenCounter = components.TokenCounter!;
        _time = components.TimeProvider ?? TimeProvider.System;
        var loggerFactory = components.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChatMemory>();
        _ownedResource = ownedResource;

        var chunker = new TextChunker(TokenCounter, new TextChunkerOptions { MaxChunkTokens = Options.ChunkMaxTokens });
        _indexer = new MemoryIndexer(Outbox, Index, Embedder, chunker, Options, _time, loggerFactory.CreateLogger<MemoryIndexer>());
        if (Options.IndexingMode == IndexingMode.Background)
        {
            _background = new BackgroundIndexer(_indexer, Options, _time, loggerFactory.CreateLogger<BackgroundIndexer>());
        }

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

            await _indexer.EnsureModelAsync(cancellationToken).ConfigureAwait(false);
            _started = true;
            if (_background is not null)
            {
                _background.RequestBacklogDrain();
            }
            else
            {
                var recovered = await _indexer.DrainBacklogAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
                if (recovered > 0)
                {
                    Log.Recovered(_logger, recovered);
                }
            }
        }
        finally
        {
            _startup.Release();
        }
    }

    /// <summary>Waits until the background indexer has nothing queued (immediately in inline mode).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when indexing is idle.</returns>
    public Task WhenIdleAsync(CancellationToken cancellationToken = default)
        => _background?.WhenIdleAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Indexes messages that are pending, or failed and due for a retry, now.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of messages processed.</returns>
    public async Task<int> ProcessIndexBacklogAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        return await _indexer.DrainBacklogAsync(int.MaxValue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the indexing outbox counts of the whole store (an operator's view; a scope's own counts come from <see cref="ScopedMemory.GetIndexStatusAsync"/>).</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts and the last error.</returns>
    public Task<IndexStatus> GetIndexStatusAsync(CancellationToken cancellationToken = default)
        => Outbox.GetIndexStatusAsync(null, null, cancellationToken);

    internal Task<IndexStatus> GetScopeIndexStatusAsync(MemoryScope scope, CancellationToken cancellationToken)
        => Outbox.GetIndexStatusAsync(scope.Owner, scope.SessionId, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_background is not null)
        {
            await _background.DisposeAsync().ConfigureAwait(false);
        }

        _startup.Dispose();
        _ownedResource?.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>Stops the background indexer (waiting for the batch in flight) so a container disposed synchronously works.</remarks>
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

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "Recovered {MessageCount} messages from the indexing outbox.")]
        public static partial void Recovered(ILogger logger, int messageCount);

        [LoggerMessage(21, LogLevel.Information, "Session {SessionId}: stored {MessageCount} messages ({TokenCount} tokens).")]
        public static partial void Stored(ILogger logger, string sessionId, int messageCount, int tokenCount);

        [LoggerMessage(22, LogLevel.Information, "Session {SessionId}: reduction created {SummaryCount} summaries and trimmed {TrimmedCount} messages.")]
        public static partial void Reduced(ILogger logger, string sessionId, int summaryCount, int trimmedCount);



        [LoggerMessage(25, LogLevel.Information, "Session {SessionId} deleted (hard: {Hard}).")]
        public static partial void SessionDeleted(ILogger logger, string sessionId, bool hard);
    }
}
