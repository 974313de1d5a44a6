using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Builds a <see cref="ChatMemory"/> without dependency injection. Defaults: a SQLite file (or in-memory database),
/// the embedded SQLite index, the offline hashing embedder, the exact o200k_base token counter, the extractive
/// summarizer and the pattern fact extractor. Replace any part with a <c>Use...</c> method.
/// </summary>
public sealed class ChatMemoryBuilder
{
    private readonly ChatMemoryOptions _options = new();
    private string? _path;
    private bool _inMemory;
    private SqliteDurability _durability = SqliteDurability.Normal;
    private Func<SqliteMemoryDatabase, IMemoryIndex>? _indexFactory;
    private IEmbeddingGenerator<string, Embedding<float>>? _embedder;
    private ITokenCounter? _tokenCounter;
    private ISummarizer? _summarizer;
    private IChatClient? _summarizerClient;
    private bool _fallbackToExtractive = true;
    private IChatClient? _factClient;
    private ILoggerFactory? _loggerFactory;
    private TimeProvider? _timeProvider;

    /// <summary>Gets the default database path: <c>LongMemory/memory.db</c> in the user's local application data folder.</summary>
    public static string DefaultDatabasePath { get; } = Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "LongMemory", "memory.db");

    /// <summary>Stores everything in a SQLite file.</summary>
    /// <param name="path">The file path; <see cref="DefaultDatabasePath"/> when <see langword="null"/>.</param>
    /// <param name="durability">How hard a commit waits for the disk; default <see cref="SqliteDurability.Normal"/> (see <see cref="SqliteDurability"/>).</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseSqlite(string? path = null, SqliteDurability durability = SqliteDurability.Normal)
    {
        _path = path ?? DefaultDatabasePath;
        _durability = durability;
        _inMemory = false;
        return this;
    }

    /// <summary>Stores everything in a private in-memory SQLite database that lives as long as the memory.</summary>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseInMemoryDatabase()
    {
        _inMemory = true;
        _path = null;
        return this;
    }

    /// <summary>Uses another memory index (for example Qdrant) instead of the embedded SQLite one.</summary>
    /// <param name="factory">Creates the index; it receives the SQLite database in case it wants it.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseMemoryIndex(Func<SqliteMemoryDatabase, IMemoryIndex> factory)
    {
        _indexFactory = Throw.IfNull(factory);
        return this;
    }

    /// <summary>Uses an embedding generator (for example Ollama's) instead of the offline hashing embedder.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        _embedder = Throw.IfNull(generator);
        return this;
    }

    /// <summary>Uses another token counter (for example a <see cref="CalibratingTokenCounter"/>).</summary>
    /// <param name="counter">The counter.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseTokenCounter(ITokenCounter counter)
    {
        _tokenCounter = Throw.IfNull(counter);
        return this;
    }

    /// <summary>Uses a summarizer.</summary>
    /// <param name="summarizer">The summarizer.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseSummarizer(ISummarizer summarizer)
    {
        _summarizer = Throw.IfNull(summarizer);
        return this;
    }

    /// <summary>Summarizes with a model; on model failure falls back to the extractive summarizer unless told otherwise.</summary>
    /// <param name="chatClient">The model's client.</param>
    /// <param name="fallbackToExtractive">Whether a model failure falls back to the extractive summarizer.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseSummarizerChatClient(IChatClient chatClient, bool fallbackToExtractive = true)
    {
        _summarizerClient = Throw.IfNull(chatClient);
        _fallbackToExtractive = fallbackToExtractive;
        return this;
    }

    /// <summary>Extracts knowledge with a model after summarization rounds (the pattern extractor still runs per message).</summary>
    /// <param name="chatClient">The model's client.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseFactExtractorChatClient(IChatClient chatClient)
    {
        _factClient = Throw.IfNull(chatClient);
        return this;
    }

    /// <summary>Sets the logger factory.</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = Throw.IfNull(loggerFactory);
        return this;
    }

    /// <summary>Sets the clock (tests use a fake one).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = Throw.IfNull(timeProvider);
        return this;
    }

    /// <summary>Changes options.</summary>
    /// <param name="configure">The change.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder Configure(Action<ChatMemoryOptions> configure)
    {
        Throw.IfNull(configure)(_options);
        return this;
    }

    /// <summary>Validates the options and builds the memory.</summary>
    /// <returns>The memory; dispose it to close the database and stop background indexing.</returns>
    public ChatMemory Build()
    {
        _options.Validate();
        var database = _inMemory ? SqliteMemoryDatabase.CreateInMemory() : new SqliteMemoryDatabase(_path ?? DefaultDatabasePath, durability: _durability);
        try
        {
            var time = _timeProvider ?? TimeProvider.System;
            var loggers = _loggerFactory;
            var tokenCounter = _tokenCounter ?? TiktokenTokenCounter.CreateO200kBase();
            var summarizer = _summarizer;
            if (summarizer is null && _summarizerClient is not null)
            {
                var model = new ChatClientSummarizer(_summarizerClient, tokenCounter);
                summarizer = _fallbackToExtractive ? new FallbackSummarizer(model, new ExtractiveSummarizer(tokenCounter)) : model;
            }

            var components = new ChatMemoryComponents
            {
                Sessions = new SqliteSessionStore(database, time, loggers?.CreateLogger<SqliteSessionStore>()),
                Knowledge = new SqliteKnowledgeStore(database, time, loggers?.CreateLogger<SqliteKnowledgeStore>()),
                ModelMemory = new SqliteModelMemoryStore(database, time, loggers?.CreateLogger<SqliteModelMemoryStore>()),
                Documents = new SqliteDocumentStore(database, time),
                Index = _indexFactory?.Invoke(database) ?? new SqliteMemoryIndex(database),
                EmbeddingGenerator = _embedder ?? new HashingEmbeddingGenerator(),
                TokenCounter = tokenCounter,
                Summarizer = summarizer,
                FactExtractor = _factClient is null ? null : new ChatClientFactExtractor(_factClient),
                LoggerFactory = loggers,
                TimeProvider = time,
            };
            return new ChatMemory(components, _options, database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }
}
