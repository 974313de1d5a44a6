using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>
/// Builds a <see cref="ChatMemory"/> without dependency injection. Defaults: a SQLite file (or in-memory database),
/// the embedded SQLite index, the offline hashing embedder, the exact o200k_base token counter, the extractive
/// summarizer and the pattern fact extractor. Replace any part with a <c>Use...</c> method; another storage backend
/// (PostgreSQL's <c>UsePostgreSql</c>) plugs in through <see cref="UseStorage"/>.
/// </summary>
public sealed class ChatMemoryBuilder
{
    private readonly ChatMemoryOptions _options = new();
    private string? _path;
    private bool _inMemory;
    private SqliteDurability _durability = SqliteDurability.Normal;
    private Func<SqliteMemoryDatabase, IMemoryIndex>? _indexFactory;
    private Func<IMemoryIndex>? _storageIndependentIndexFactory;
    private Func<ChatMemoryComponents, IDisposable?>? _storage;
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
        _storage = null;
        return this;
    }

    /// <summary>Stores everything in a private in-memory SQLite database that lives as long as the memory.</summary>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseInMemoryDatabase()
    {
        _inMemory = true;
        _path = null;
        _storage = null;
        return this;
    }

    /// <summary>
    /// Takes the stores from another storage backend instead of SQLite (PostgreSQL's <c>UsePostgreSql</c> calls this).
    /// </summary>
    /// <param name="storage">
    /// Called once by <see cref="Build"/> with the components already holding the clock, logger factory, embedder and
    /// token counter: it sets the stores (<see cref="ChatMemoryComponents.Sessions"/> and the other store properties) and,
    /// optionally, the backend's own default <see cref="ChatMemoryComponents.Index"/> (an index set with
    /// <see cref="UseMemoryIndex(Func{IMemoryIndex})"/> replaces it). It returns what the memory disposes with itself (the
    /// backend's connection pool, say), or <see langword="null"/>.
    /// </param>
    /// <returns>This builder.</returns>
    /// <remarks>The last of <see cref="UseSqlite"/>, <see cref="UseInMemoryDatabase"/> and this call wins.</remarks>
    public ChatMemoryBuilder UseStorage(Func<ChatMemoryComponents, IDisposable?> storage)
    {
        _storage = Throw.IfNull(storage);
        return this;
    }

    /// <summary>Uses another memory index (for example Qdrant) instead of the embedded SQLite one.</summary>
    /// <param name="factory">Creates the index; it receives the SQLite database in case it wants it.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">Thrown by <see cref="Build"/> when the stores are not SQLite (<see cref="UseStorage"/>): use <see cref="UseMemoryIndex(Func{IMemoryIndex})"/> then.</exception>
    public ChatMemoryBuilder UseMemoryIndex(Func<SqliteMemoryDatabase, IMemoryIndex> factory)
    {
        _indexFactory = Throw.IfNull(factory);
        _storageIndependentIndexFactory = null;
        return this;
    }

    /// <summary>Uses another memory index (for example Qdrant) with any storage backend.</summary>
    /// <param name="factory">Creates the index when the memory is built.</param>
    /// <returns>This builder.</returns>
    public ChatMemoryBuilder UseMemoryIndex(Func<IMemoryIndex> factory)
    {
        _storageIndependentIndexFactory = Throw.IfNull(factory);
        _indexFactory = null;
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
        if (_storage is not null)
        {
            return BuildOnStorage(_storage);
        }

        var database = _inMemory ? SqliteMemoryDatabase.CreateInMemory() : new SqliteMemoryDatabase(_path ?? DefaultDatabasePath, durability: _durability);
        try
        {
            var components = CreateComponents();
            var time = components.TimeProvider!;
            var loggers = _loggerFactory;
            components.Sessions = new SqliteSessionStore(database, time, loggers?.CreateLogger<SqliteSessionStore>());
            components.Knowledge = new SqliteKnowledgeStore(database, time, loggers?.CreateLogger<SqliteKnowledgeStore>());
            components.ModelMemory = new SqliteModelMemoryStore(database, time, loggers?.CreateLogger<SqliteModelMemoryStore>());
            components.Documents = new SqliteDocumentStore(database, time);
            components.Index = _storageIndependentIndexFactory?.Invoke() ?? _indexFactory?.Invoke(database) ?? new SqliteMemoryIndex(database);
            return new ChatMemory(components, _options, database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    private ChatMemory BuildOnStorage(Func<ChatMemoryComponents, IDisposable?> storage)
    {
        if (_indexFactory is not null)
        {
            throw new InvalidOperationException(
                "UseMemoryIndex(Func<SqliteMemoryDatabase, IMemoryIndex>) needs the SQLite stores, but UseStorage chose another backend: " +
                "use UseMemoryIndex(Func<IMemoryIndex>) instead.");
        }

        var components = CreateComponents();
        var owned = storage(components);
        try
        {
            if (_storageIndependentIndexFactory is not null)
            {
                components.Index = _storageIndependentIndexFactory();
            }
            else if (components.Index is null)
            {
                throw new InvalidOperationException("The storage set with UseStorage gave no memory index: set one with UseMemoryIndex(Func<IMemoryIndex>).");
            }

            return new ChatMemory(components, _options, owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>The components every storage shares: clock, loggers, embedder, token counter, summarizer, fact extractor.</summary>
    private ChatMemoryComponents CreateComponents()
    {
        var tokenCounter = _tokenCounter ?? TiktokenTokenCounter.CreateO200kBase();
        var summarizer = _summarizer;
        if (summarizer is null && _summarizerClient is not null)
        {
            var model = new ChatClientSummarizer(_summarizerClient, tokenCounter);
            summarizer = _fallbackToExtractive ? new FallbackSummarizer(model, new ExtractiveSummarizer(tokenCounter)) : model;
        }

        return new ChatMemoryComponents
        {
            EmbeddingGenerator = _embedder ?? new HashingEmbeddingGenerator(),
            TokenCounter = tokenCounter,
            Summarizer = summarizer,
            FactExtractor = _factClient is null ? null : new ChatClientFactExtractor(_factClient),
            LoggerFactory = _loggerFactory,
            TimeProvider = _timeProvider ?? TimeProvider.System,
        };
    }
}
