namespace LongMemory.Kernel;

/// <summary>
/// Token estimates for message contents that are not text (images, files, audio): the counters count text only, so
/// context assembly adds these to keep the budget honest.
/// </summary>
public sealed class NonTextContentTokens
{
    /// <summary>Gets or sets the tokens counted per image (a <c>DataContent</c> or <c>UriContent</c> with an <c>image/*</c> media type).</summary>
    /// <value>Default 765: what OpenAI's models charge for a 1024x1024 image at high detail.</value>
    public int ImageTokens { get; set; } = 765;

    /// <summary>Gets or sets the bytes of other inline data (<c>DataContent</c>: documents, audio) counted as one token.</summary>
    /// <value>Default 4.</value>
    public int DataBytesPerToken { get; set; } = 4;

    /// <summary>Gets or sets the tokens counted per reference to other non-text content (a non-image <c>UriContent</c>, a hosted file).</summary>
    /// <value>Default 85.</value>
    public int OtherContentTokens { get; set; } = 85;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Throw.IfLessThan(ImageTokens, 0, nameof(ImageTokens));
        Throw.IfLessThan(DataBytesPerToken, 1, nameof(DataBytesPerToken));
        Throw.IfLessThan(OtherContentTokens, 0, nameof(OtherContentTokens));
    }
}
