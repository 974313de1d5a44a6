namespace LongMemory.Kernel;

/// <summary>Options of the <see cref="HashingEmbeddingGenerator"/>. Validated when the generator is created.</summary>
/// <remarks>
/// Any change other than the defaults changes the vectors, so it also changes the model id the generator reports;
/// a memory index built with other options then refuses the new vectors instead of mixing them.
/// </remarks>
public sealed class HashingEmbeddingGeneratorOptions
{
    /// <summary>The default vector size.</summary>
    public const int DefaultDimensions = 256;

    /// <summary>Gets or sets the vector size (8 to 65,536).</summary>
    /// <value>Default 256.</value>
    public int Dimensions { get; set; } = DefaultDimensions;

    /// <summary>Gets or sets the weight of a lower-cased word (unigram) feature; 0 disables word features.</summary>
    /// <value>Default 1.</value>
    public float WordWeight { get; set; } = 1.0f;

    /// <summary>Gets or sets the weight of a feature made of two adjacent words; 0 disables bigrams.</summary>
    /// <value>Default 0.5.</value>
    public float BigramWeight { get; set; } = 0.5f;

    /// <summary>
    /// Gets or sets the weight of a character n-gram feature (taken within a word marked with boundary characters, so
    /// inflections and typos still share features); 0 disables character n-grams.
    /// </summary>
    /// <value>Default 0.25.</value>
    public float CharNGramWeight { get; set; } = 0.25f;

    /// <summary>Gets or sets the smallest character n-gram length (1 to 16).</summary>
    /// <value>Default 3.</value>
    public int MinCharNGram { get; set; } = 3;

    /// <summary>Gets or sets the largest character n-gram length (at least <see cref="MinCharNGram"/>, at most 16).</summary>
    /// <value>Default 5.</value>
    public int MaxCharNGram { get; set; } = 5;

    internal bool HasDefaultFeatures =>
        WordWeight == 1.0f && BigramWeight == 0.5f && CharNGramWeight == 0.25f &&
        MinCharNGram == 3 && MaxCharNGram == 5;

    internal void Validate()
    {
        if (Dimensions is < 8 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must be between 8 and 65,536.");
        }

        ValidateWeight(WordWeight, nameof(WordWeight));
        ValidateWeight(BigramWeight, nameof(BigramWeight));
        ValidateWeight(CharNGramWeight, nameof(CharNGramWeight));
        if (WordWeight == 0 && BigramWeight == 0 && CharNGramWeight == 0)
        {
            throw new ArgumentException("At least one of WordWeight, BigramWeight and CharNGramWeight must be positive.", nameof(WordWeight));
        }

        if (MinCharNGram is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MinCharNGram), MinCharNGram, "MinCharNGram must be between 1 and 16.");
        }

        if (MaxCharNGram < MinCharNGram || MaxCharNGram > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCharNGram), MaxCharNGram, $"MaxCharNGram must be between MinCharNGram ({MinCharNGram}) and 16.");
        }
    }

    private static void ValidateWeight(float weight, string name)
    {
        if (!float.IsFinite(weight) || weight < 0)
        {
            throw new ArgumentOutOfRangeException(name, weight, $"{name} must be a finite number of at least 0.");
        }
    }
}
