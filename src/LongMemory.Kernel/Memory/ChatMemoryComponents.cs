using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel;

/// <summary>The parts a <see cref="ChatMemory"/> is made of. <see cref="ChatMemoryBuilder"/> fills them with defaults.</summary>
public sealed class ChatMemoryComponents
{
    /// <summary>Gets or sets the session and message store (required).</summary>
    public ISessionStore? Sessions { get; set; }

    /// <summary>Gets or sets the message store; <see cref="Sessions"/> when <see langword="null"/> and it implements <see cref="IMessageStore"/>.</summary>
    public IMessageStore? Messages { get; set; }

    /// <summary>Gets or sets the summary store; <see cref="Sessions"/> when <see langword="null"/> and it implements <see cref="ISummaryStore"/>.</summary>
    public ISummaryStore? Summaries { get; set; }

    /// <summary>Gets or sets the indexing outbox; <see cref="Sessions"/> when <see langword="null"/> and it implements <see cref="IIndexOutbox"/>.</summary>
    public IIndexOutbox? Outbox { get; set; }

    /// <summary>Gets or sets the knowledge store (required).</summary>
    public IKnowledgeStore? Knowledge { get; set; }

    /// <summary>Gets or sets the model memory store (required).</summary>
    public IModelMemoryStore? ModelMemory { get; set; }

    /// <summary>Gets or sets the document store; documents cannot be imported when <see langword="null"/>.</summary>
    public IDocumentStore? Documents { get; set; }

    /// <summary>
    /// Gets or sets the one-transaction purge of an owner across the stores (and the index when it holds it); when
    /// <see langword="null"/>, forgetting a user deletes store by store.
    /// </summary>
    public IOwnerPurge? OwnerPurge { get; set; }

    /// <summary>Gets or sets the memory index (required).</summary>
    public IMemoryIndex? Index { get; set; }

    /// <summary>Gets or sets the embedding generator (required).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator { get; set; }

    /// <summary>Gets or sets the token counter (required).</summary>
    public ITokenCounter? TokenCounter { get; set; }

    /// <summary>Gets or sets the summarizer; the offline extractive summarizer when <see langword="null"/>.</summary>
    public ISummarizer? Summarizer { get; set; }

    /// <summary>Gets or sets a model-based fact extractor run after summarization rounds; none when <see langword="null"/>.</summary>
    public IFactExtractor? FactExtractor { get; set; }

    /// <summary>Gets or sets the logger factory.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first missing required part.</summary>
    public void Validate()
    {
        Require(Sessions, nameof(Sessions));
        Require(Messages ?? Sessions as IMessageStore, nameof(Messages));
        Require(Summaries ?? Sessions as ISummaryStore, nameof(Summaries));
        Require(Outbox ?? Sessions as IIndexOutbox, nameof(Outbox));
        Require(Knowledge, nameof(Knowledge));
        Require(ModelMemory, nameof(ModelMemory));
        Require(Index, nameof(Index));
        Require(EmbeddingGenerator, nameof(EmbeddingGenerator));
        Require(TokenCounter, nameof(TokenCounter));

        static void Require(object? part, string name)
        {
            if (part is null)
            {
                throw new InvalidOperationException($"ChatMemoryComponents.{name} is required.");
            }
        }
    }
}
