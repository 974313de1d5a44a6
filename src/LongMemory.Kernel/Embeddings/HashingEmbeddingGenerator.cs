using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// A deterministic, offline embedding generator: lower-cased, lightly stemmed words, word bigrams and character n-grams
/// are feature-hashed (signed) into a fixed-size vector with sublinear term weighting, then L2-normalised. English stop
/// words are left out.
/// </summary>
/// <remarks>
/// <para>
/// This is the fallback for apps without an embedding model: it needs no server and no download, and it is fast enough
/// to run on every message. It captures lexical similarity (shared words, shared word pieces such as <c>colour</c> and
/// <c>color</c>, inflections, typos), not meaning: "car" and "automobile" are unrelated to it. Use a real embedding model
/// for semantic recall when one is available. Because it is only a lexical signal, and a weaker one than the keyword
/// (BM25) ranking that recall fuses it with, <see cref="ChatMemoryOptions.DefaultVectorWeight"/> gives it a low fusion
/// weight when it is the memory's embedder.
/// </para>
/// <para>
/// Feature version 2 (model id <c>hashing-v2-...</c>) leaves English function words out ("the", "did", "what", the
/// pieces of contractions, a few chat fillers such as "yeah") and strips plural <c>s</c>, <c>-ies</c>, <c>-ing</c> and
/// <c>-ed</c> before hashing, so "paintings", "painted" and "painting" share their word feature. Vectors of version 1
/// differ; an index built with them refuses version 2 vectors instead of mixing them.
/// </para>
/// <para>
/// The hash is FNV-1a over UTF-16 code units with a 64-bit finalizer, stable across processes and platforms
/// (<see cref="string.GetHashCode()"/> is randomized per process and would make stored vectors meaningless). The vector
/// of a text without any letter or digit is all zeros.
/// </para>
/// </remarks>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in <see cref="EmbeddingGeneratorMetadata"/>.</summary>
    public const string ProviderName = "longmemory-hashing";

    private const string FeatureVersion = "v2";
    private const int StackLimit = 512;
    private const int MaxStemLength = 64;
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    private readonly int _dimensions;
    private readonly float _wordWeight;
    private readonly float _bigramWeight;
    private readonly float _charWeight;
    private readonly int _minGram;
    private readonly int _maxGram;

    /// <summary>Initializes a new instance of the <see cref="HashingEmbeddingGenerator"/> class.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public HashingEmbeddingGenerator(HashingEmbeddingGeneratorOptions? options = null)
    {
        options ??= new HashingEmbeddingGeneratorOptions();
        options.Validate();
        _dimensions = options.Dimensions;
        _wordWeight = options.WordWeight;
        _bigramWeight = options.BigramWeight;
        _charWeight = options.CharNGramWeight;
        _minGram = options.MinCharNGram;
        _maxGram = options.MaxCharNGram;
        ModelId = BuildModelId(options);
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, null, ModelId, _dimensions);
    }

    /// <summary>
    /// Gets the model id: <c>hashing-v2-d256</c> (feature version and dimension), with a fingerprint of the feature
    /// options (weights, n-gram range) appended when they differ from the defaults.
    /// </summary>
    public string ModelId { get; }

    /// <summary>Gets the vector size.</summary>
    public int Dimensions => _dimensions;

    /// <summary>Gets the metadata (provider, model id, dimension).</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><see cref="EmbeddingGenerationOptions.Dimensions"/> asks for another size.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(values);
        if (options?.Dimensions is { } requested && requested != _dimensions)
        {
            throw new ArgumentException(
                $"The hashing embedding generator is configured for {_dimensions} dimensions; {requested} were requested. Set HashingEmbeddingGeneratorOptions.Dimensions instead.",
                nameof(options));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        var createdAt = DateTimeOffset.UtcNow;
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = new float[_dimensions];
            Embed((value ?? string.Empty).AsSpan(), vector);
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return Task.FromResult(result);
    }

    /// <summary>Computes the embedding of a text into a caller-provided buffer, without allocating for short texts.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">The buffer; its length must equal <see cref="Dimensions"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void Embed(ReadOnlySpan<char> text, Span<float> destination)
    {
        if (destination.Length != _dimensions)
        {
            throw new ArgumentException($"The destination must have {_dimensions} elements; it has {destination.Length}.", nameof(destination));
        }

        destination.Clear();
        char[]? rented = null;
        var lower = text.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        try
        {
            lower = lower[..text.Length];
            text.ToLowerInvariant(lower);
            AddFeatures(lower, destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        // Sublinear weighting (log1p of the accumulated magnitude) keeps a word repeated many times from dominating.
        for (var i = 0; i < destination.Length; i++)
        {
            var value = destination[i];
            if (value != 0)
            {
                destination[i] = MathF.CopySign(MathF.Log(1 + MathF.Abs(value)), value);
            }
        }

        var norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        Throw.IfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the generator holds no resources.
    }

    private void AddFeatures(ReadOnlySpan<char> lower, Span<float> destination)
    {
        Span<char> previous = stackalloc char[MaxStemLength];
        var previousLength = -1;
        Span<char> stemBuffer = stackalloc char[MaxStemLength];
        var i = 0;
        while (i < lower.Length)
        {
            if (!char.IsLetterOrDigit(lower[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < lower.Length && char.IsLetterOrDigit(lower[i]))
            {
                i++;
            }

            scoped ReadOnlySpan<char> word = lower[start..i];
            // Function words carry no topic and, through their many character n-grams, would pull every text
            // towards every other; a bigram never spans one ("went to the beach" has no bigram).
            if (HashingStopWords.IsStopWord(word))
            {
                previousLength = -1;
                continue;
            }

            if (word.Length <= MaxStemLength)
            {
                word = Stem(word, stemBuffer);
            }

            if (_wordWeight > 0)
            {
                Add(HashChars(Seed('w'), word), _wordWeight, destination);
            }

            if (_bigramWeight > 0 && previousLength >= 0)
            {
                var hash = HashChars(Seed('b'), previous[..previousLength]);
                hash = Step(hash, ' ');
                Add(HashChars(hash, word), _bigramWeight, destination);
            }

            if (_charWeight > 0)
            {
                AddCharNGrams(word, destination);
            }

            if (word.Length <= MaxStemLength)
            {
                word.CopyTo(previous);
                previousLength = word.Length;
            }
            else
            {
                previousLength = -1;
            }
        }
    }

    // Light suffix stripping: the plural first (-ies -> y, -sses -> ss, -s), then -ing or -ed, undoubling a final
    // consonant ("running" -> "run"); "paintings", "painted" and "painting" all become "paint".
    private static ReadOnlySpan<char> Stem(ReadOnlySpan<char> word, Span<char> buffer)
    {
        if (word.Length <= 3 || !char.IsLetter(word[^1]))
        {
            return word;
        }

        if (word.EndsWith("ies") && word.Length > 4)
        {
            word[..^3].CopyTo(buffer);
            buffer[word.Length - 3] = 'y';
            return buffer[..(word.Length - 2)];
        }

        if (word.EndsWith("sses"))
        {
            word = word[..^2];
        }
        else if (word[^1] == 's' && !word.EndsWith("ss") && !word.EndsWith("us") && !word.EndsWith("is"))
        {
            word = word[..^1];
        }

        if (word.EndsWith("ing") && word.Length > 5 && HasVowel(word[..^3]))
        {
            return UndoubleConsonant(word[..^3]);
        }

        if (word.EndsWith("ed") && word.Length > 4 && HasVowel(word[..^2]))
        {
            return UndoubleConsonant(word[..^2]);
        }

        return word;

        static bool HasVowel(ReadOnlySpan<char> stem) => stem.IndexOfAny("aeiouy") >= 0;

        static ReadOnlySpan<char> UndoubleConsonant(ReadOnlySpan<char> stem)
            => stem.Length >= 3 && stem[^1] == stem[^2] && "bdfgmnprt".Contains(stem[^1]) ? stem[..^1] : stem;
    }

    private void AddCharNGrams(ReadOnlySpan<char> word, Span<float> destination)
    {
        // The word is framed as '<' + word + '>' so that prefixes and suffixes are features of their own.
        var markedLength = word.Length + 2;
        if (markedLength < _minGram)
        {
            Add(HashMarked(word, 0, markedLength), _charWeight, destination);
            return;
        }

        var maxGram = Math.Min(_maxGram, markedLength);
        for (var n = _minGram; n <= maxGram; n++)
        {
            for (var start = 0; start + n <= markedLength; start++)
            {
                Add(HashMarked(word, start, n), _charWeight, destination);
            }
        }
    }

    private static ulong HashMarked(ReadOnlySpan<char> word, int start, int length)
    {
        var hash = Seed('c');
        var last = word.Length + 1;
        for (var t = start; t < start + length; t++)
        {
            hash = Step(hash, t == 0 ? '<' : t == last ? '>' : word[t - 1]);
        }

        return hash;
    }

    private void Add(ulong hash, float weight, Span<float> destination)
    {
        hash = Mix(hash);
        var index = (int)(hash % (ulong)_dimensions);
        destination[index] += (hash >> 63) == 0 ? weight : -weight;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Seed(char kind) => Step(FnvOffset, kind);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ulong hash, char c) => (hash ^ c) * FnvPrime;

    private static ulong HashChars(ulong hash, ReadOnlySpan<char> chars)
    {
        foreach (var c in chars)
        {
            hash = Step(hash, c);
        }

        return hash;
    }

    // The 64-bit finalizer of MurmurHash3: spreads FNV's weak low bits over the whole word.
    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }

    private static string BuildModelId(HashingEmbeddingGeneratorOptions options)
    {
        var id = $"hashing-{FeatureVersion}-d{options.Dimensions.ToString(CultureInfo.InvariantCulture)}";
        if (options.HasDefaultFeatures)
        {
            return id;
        }

        var fingerprint = string.Create(CultureInfo.InvariantCulture,
            $"{options.WordWeight:R}|{options.BigramWeight:R}|{options.CharNGramWeight:R}|{options.MinCharNGram}|{options.MaxCharNGram}");
        var hash = (uint)(Mix(HashChars(FnvOffset, fingerprint)) >> 32);
        return id + "-" + hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
