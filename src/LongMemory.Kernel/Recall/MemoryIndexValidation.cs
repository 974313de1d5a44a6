namespace LongMemory.Kernel;

/// <summary>
/// The argument checks every <see cref="IMemoryIndex"/> makes, shared so that all backends accept and refuse the same
/// input with the same exceptions.
/// </summary>
public static class MemoryIndexValidation
{
    /// <summary>Checks items before an upsert: ids, owner, known collection, type, text and finite vector values.</summary>
    /// <param name="items">The items.</param>
    /// <exception cref="ArgumentException">An item is invalid.</exception>
    public static void ValidateItems(IReadOnlyList<MemoryItem> items)
    {
        Throw.IfNull(items);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException($"Item {i} is null.", nameof(items));
            if (string.IsNullOrWhiteSpace(item.Id))
            {
                throw new ArgumentException($"Item {i} has no id.", nameof(items));
            }

            if (string.IsNullOrWhiteSpace(item.UserId))
            {
                throw new ArgumentException($"Item '{item.Id}' has no owner (UserId).", nameof(items));
            }

            MemoryCollections.Validate(item.Collection, nameof(items));
            if (string.IsNullOrWhiteSpace(item.Type))
            {
                throw new ArgumentException($"Item '{item.Id}' has no type.", nameof(items));
            }

            if (item.Text is null)
            {
                throw new ArgumentException($"Item '{item.Id}' has no text.", nameof(items));
            }

            foreach (var value in item.Vector.Span)
            {
                if (!float.IsFinite(value))
                {
                    throw new ArgumentException($"Item '{item.Id}' has a vector with a NaN or infinite value.", nameof(items));
                }
            }
        }
    }

    /// <summary>Checks the vectors of items against the embedding model the index recorded.</summary>
    /// <param name="items">The items.</param>
    /// <param name="recordedModelId">The recorded model id, or <see langword="null"/> when none is recorded.</param>
    /// <param name="recordedDimensions">The recorded vector size.</param>
    /// <exception cref="InvalidOperationException">An item has a vector but no model is recorded.</exception>
    /// <exception cref="EmbeddingModelMismatchException">A vector's length differs from the recorded size.</exception>
    public static void ValidateVectors(IReadOnlyList<MemoryItem> items, string? recordedModelId, int recordedDimensions)
    {
        Throw.IfNull(items);
        foreach (var item in items)
        {
            if (item.Vector.IsEmpty)
            {
                continue;
            }

            if (recordedModelId is null)
            {
                throw new InvalidOperationException(
                    $"Item '{item.Id}' has a vector but the memory index has no embedding model recorded. Call EnsureEmbeddingModelAsync first.");
            }

            if (item.Vector.Length != recordedDimensions)
            {
                throw new EmbeddingModelMismatchException(recordedModelId, recordedDimensions, "(vector of item '" + item.Id + "')", item.Vector.Length);
            }
        }
    }

    /// <summary>Checks a query vector against the recorded embedding model.</summary>
    /// <param name="queryVector">The query vector (empty when none).</param>
    /// <param name="recordedModelId">The recorded model id, or <see langword="null"/> when none is recorded (then nothing is checked).</param>
    /// <param name="recordedDimensions">The recorded vector size.</param>
    /// <exception cref="EmbeddingModelMismatchException">The length differs from the recorded size.</exception>
    /// <exception cref="ArgumentException">The vector has a NaN or infinite value.</exception>
    public static void ValidateQueryVector(ReadOnlyMemory<float> queryVector, string? recordedModelId, int recordedDimensions)
    {
        if (queryVector.IsEmpty)
        {
            return;
        }

        foreach (var value in queryVector.Span)
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentException("The query vector has a NaN or infinite value.", nameof(queryVector));
            }
        }

        if (recordedModelId is not null && queryVector.Length != recordedDimensions)
        {
            throw new EmbeddingModelMismatchException(recordedModelId, recordedDimensions, "(query vector)", queryVector.Length);
        }
    }

    /// <summary>Checks a filter: known collections, non-empty types and a non-empty time range.</summary>
    /// <param name="filter">The filter.</param>
    /// <exception cref="ArgumentException">The filter is invalid.</exception>
    public static void ValidateFilter(MemoryFilter filter)
    {
        Throw.IfNull(filter);
        if (filter.Collections is { } collections)
        {
            foreach (var collection in collections)
            {
                MemoryCollections.Validate(collection, nameof(filter));
            }
        }

        if (filter.Types is { } types && types.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("A type in the filter is empty.", nameof(filter));
        }

        if (filter.From is { } from && filter.To is { } to && from >= to)
        {
            throw new ArgumentException($"The time range is empty: From ({from:O}) must be before To ({to:O}).", nameof(filter));
        }
    }

    /// <summary>Checks a search request: its filter, top, minimum score, k, candidate multiplier and weights.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    public static void ValidateSearch(MemorySearchRequest request)
    {
        Throw.IfNull(request);
        ValidateFilter(request.Filter);
        Throw.IfLessThan(request.Top, 1, "request.Top");
        Throw.IfOutOfRange(request.MinScore, 0, 1, "request.MinScore");
        Throw.IfLessThan(request.RrfK, 0, "request.RrfK");
        Throw.IfLessThan(request.CandidateMultiplier, 1, "request.CandidateMultiplier");
        Throw.IfOutOfRange(request.KeywordWeight, 0, double.MaxValue, "request.KeywordWeight");
        Throw.IfOutOfRange(request.VectorWeight, 0, double.MaxValue, "request.VectorWeight");
        if (request.KeywordWeight == 0 && request.VectorWeight == 0)
        {
            throw new ArgumentException("At least one of KeywordWeight and VectorWeight must be positive.", nameof(request));
        }
    }

    /// <summary>Checks a scroll page size.</summary>
    /// <param name="limit">The page size.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    public static void ValidateScrollLimit(int limit) => Throw.IfLessThan(limit, 1, nameof(limit));

    /// <summary>Checks the arguments of <see cref="IMemoryIndex.EnsureEmbeddingModelAsync"/>.</summary>
    /// <param name="embeddingModelId">The model id.</param>
    /// <param name="dimensions">The vector size.</param>
    /// <exception cref="ArgumentException">The id is empty or the size is less than 1.</exception>
    public static void ValidateEmbeddingModel(string embeddingModelId, int dimensions)
    {
        Throw.IfNullOrWhitespace(embeddingModelId);
        Throw.IfLessThan(dimensions, 1);
    }
}
