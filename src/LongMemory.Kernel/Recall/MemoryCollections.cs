namespace LongMemory.Kernel;

/// <summary>The collections of a memory index.</summary>
public static class MemoryCollections
{
    /// <summary>The conversation log: chunks of user and assistant messages, and summaries.</summary>
    public const string Logs = "logs";

    /// <summary>Curated model memory.</summary>
    public const string ModelMemory = "model_memory";

    /// <summary>Knowledge entries (persistent facts).</summary>
    public const string Knowledge = "knowledge";

    /// <summary>Chunks of documents linked to sessions.</summary>
    public const string Documents = "documents";

    /// <summary>Gets all collection names.</summary>
    public static IReadOnlyList<string> All { get; } = [Logs, ModelMemory, Knowledge, Documents];

    /// <summary>Throws when <paramref name="collection"/> is not one of <see cref="All"/>.</summary>
    /// <param name="collection">The collection name.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <returns>The collection name.</returns>
    public static string Validate(string collection, string paramName = "collection")
    {
        if (collection is not (Logs or ModelMemory or Knowledge or Documents))
        {
            throw new ArgumentException($"Unknown memory collection '{collection}'. Known: {string.Join(", ", All)}.", paramName);
        }

        return collection;
    }
}
