namespace LongMemory.Kernel.Qdrant;

/// <summary>Where the BM25 sparse vectors of a Qdrant index are computed.</summary>
public enum QdrantServerSideBm25
{
    /// <summary>
    /// The server's built-in BM25 (<c>qdrant/bm25</c>, Qdrant 1.15.2 and later) when the server has it, client-side
    /// vectors otherwise. An existing collection keeps the encoding it was created with.
    /// </summary>
    Auto,

    /// <summary>Always the server's BM25 inference (fails on servers older than 1.15.2).</summary>
    On,

    /// <summary>Always client-side sparse vectors (deterministic tokenizer, hashed term ids, BM25 term-frequency weights).</summary>
    Off,
}
