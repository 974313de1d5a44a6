using System.Globalization;
using LongMemory.Kernel.PostgreSql;

namespace LongMemory.ChatHost.Hosting;

/// <summary>The command line of the chat host: <c>[demo] [--db FILE] [--user NAME] [--ollama URL] [--model M] [--embed-model M] [--context N] [--json FILE] [--offline] [--qdrant URL] [--qdrant-key KEY] [--postgres CONNECTION]</c>.</summary>
internal sealed class HostArguments
{
    /// <summary>Gets a value indicating whether the <c>demo</c> subcommand was given.</summary>
    public bool Demo { get; private init; }

    /// <summary>Gets the database file (<see langword="null"/>: the default for the mode).</summary>
    public string? DatabasePath { get; private init; }

    /// <summary>Gets the user name (default <see cref="Environment.UserName"/>).</summary>
    public string User { get; private init; } = DefaultUser();

    /// <summary>Gets the Ollama endpoint given with <c>--ollama</c> (<see langword="null"/>: <c>OLLAMA_HOST</c> or the default).</summary>
    public string? OllamaUrl { get; private init; }

    /// <summary>Gets the chat model (<see langword="null"/>: the first chat model the server lists).</summary>
    public string? Model { get; private init; }

    /// <summary>Gets the embedding model (<see langword="null"/>: the offline hashing embedder).</summary>
    public string? EmbedModel { get; private init; }

    /// <summary>Gets the context window in tokens (<see langword="null"/>: the model's, capped at 8192; 2048 in the demo).</summary>
    public int? ContextTokens { get; private init; }

    /// <summary>Gets the Qdrant endpoint given with <c>--qdrant</c> (<see langword="null"/>: the embedded SQLite index).</summary>
    public Uri? QdrantUrl { get; private init; }

    /// <summary>Gets the Qdrant API key given with <c>--qdrant-key</c> (or <c>QDRANT_API_KEY</c>).</summary>
    public string? QdrantApiKey { get; private init; }

    /// <summary>
    /// Gets the Npgsql connection string given with <c>--postgres</c> (<see langword="null"/>: SQLite): the whole memory,
    /// and its search index unless <c>--qdrant</c> is given, lives in PostgreSQL.
    /// </summary>
    public string? PostgresConnectionString { get; private init; }

    /// <summary>Gets the JSON report path of the demo.</summary>
    public string? JsonPath { get; private init; }

    /// <summary>Gets a value indicating whether to skip looking for Ollama.</summary>
    public bool ForceOffline { get; private init; }

    /// <summary>Gets a value indicating whether help was asked for.</summary>
    public bool ShowHelp { get; private init; }

    /// <summary>Gets the usage text.</summary>
    public static string Usage { get; } =
        """
        Usage: LongMemory.ChatHost [demo] [options]

          (no subcommand)      chat with memory: Ollama when a server answers, else offline recall mode
          demo                 replay a scripted 200+ turn conversation offline and check what memory recalled

        Options:
          --db FILE            SQLite database (chat default: the user's data folder; demo default: a temp file)
          --user NAME          the user whose memory is used (default: the OS user name)
          --ollama URL         Ollama endpoint (default: OLLAMA_HOST, else http://localhost:11434)
          --model NAME         Ollama chat model (default: the first chat model the server has)
          --embed-model NAME   Ollama embedding model (default: the offline hashing embedder)
          --context N          context window in tokens (default: the model's, at most 8192; demo 2048)
          --offline            do not look for Ollama
          --qdrant URL         keep the search index in Qdrant (e.g. http://localhost:6333); sessions stay in SQLite
          --qdrant-key KEY     Qdrant API key (default: QDRANT_API_KEY)
          --postgres CONN      keep the whole memory in PostgreSQL (with pgvector), e.g.
                               "Host=localhost;Database=app;Username=app;Password=..."; the index too unless --qdrant
          --json FILE          demo: write the per-turn and recall-check report as JSON
          -h, --help           this text
        """;

    /// <summary>Parses the arguments.</summary>
    /// <param name="args">The arguments.</param>
    /// <returns>The parsed arguments.</returns>
    /// <exception cref="ArgumentException">An unknown option, or an option without its value.</exception>
    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool demo = false, offline = false, help = false;
        string? db = null, user = null, ollama = null, model = null, embed = null, json = null, qdrantKey = null, postgres = null;
        Uri? qdrant = null;
        int? context = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "demo" when i == 0:
                    demo = true;
                    break;
                case "--db":
                    db = Value(ref i);
                    break;
                case "--user":
                    user = Value(ref i);
                    break;
                case "--ollama":
                    ollama = Value(ref i);
                    break;
                case "--model":
                    model = Value(ref i);
                    break;
                case "--embed-model":
                    embed = Value(ref i);
                    break;
                case "--json":
                    json = Value(ref i);
                    break;
                case "--context":
                    var text = Value(ref i);
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 256)
                    {
                        throw new ArgumentException($"--context must be a number of tokens, at least 256 (got '{text}').");
                    }

                    context = n;
                    break;
                case "--qdrant":
                    var url = Value(ref i);
                    if (!Uri.TryCreate(url, UriKind.Absolute, out qdrant) || (qdrant.Scheme != Uri.UriSchemeHttp && qdrant.Scheme != Uri.UriSchemeHttps))
                    {
                        throw new ArgumentException($"--qdrant must be an http(s) URL such as http://localhost:6333 (got '{url}').");
                    }

                    break;
                case "--postgres":
                    postgres = Value(ref i);
                    try
                    {
                        new PostgreSqlMemoryOptions { ConnectionString = postgres }.Validate();
                    }
                    catch (ArgumentException ex)
                    {
                        throw new ArgumentException($"--postgres must be an Npgsql connection string such as \"Host=localhost;Database=app;Username=app\": {ex.Message}", ex);
                    }

                    break;
                case "--qdrant-key":
                    qdrantKey = Value(ref i);
                    break;
                case "--offline":
                    offline = true;
                    break;
                case "-h" or "--help" or "help":
                    help = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}'. Run with --help for the options.");
            }
        }

        if (postgres is not null && db is not null)
        {
            throw new ArgumentException("--postgres and --db both choose where the memory lives: give one of them.");
        }

        return new HostArguments
        {
            Demo = demo,
            DatabasePath = db,
            User = string.IsNullOrWhiteSpace(user) ? DefaultUser() : user.Trim(),
            OllamaUrl = ollama,
            Model = model,
            EmbedModel = embed,
            ContextTokens = context,
            JsonPath = json,
            ForceOffline = offline,
            QdrantUrl = qdrant,
            QdrantApiKey = qdrantKey ?? Environment.GetEnvironmentVariable("QDRANT_API_KEY"),
            PostgresConnectionString = postgres,
            ShowHelp = help,
        };

        string Value(ref int index)
        {
            if (index + 1 >= args.Count || args[index + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"{args[index]} needs a value.");
            }

            index++;
            return args[index];
        }
    }

    private static string DefaultUser() => string.IsNullOrWhiteSpace(Environment.UserName) ? "user" : Environment.UserName;
}
