using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Counts tokens exactly as OpenAI's tiktoken does (<c>o200k_base</c> for the GPT-4o/4.1/o-series/GPT-5 family,
/// <c>cl100k_base</c> for GPT-4 and GPT-3.5), with no network and no native code.
/// </summary>
/// <remarks>
/// <para>Text is counted with <c>encode_ordinary</c> semantics: special-token text such as
/// <c>&lt;|endoftext|&gt;</c> is counted as ordinary text. Invalid UTF-16 (a lone surrogate) counts as U+FFFD, the
/// character Rust's tiktoken sees for it.</para>
/// <para>The rank data ships compressed inside this assembly (tiktoken's MIT-licensed files; the license is embedded
/// next to them as <c>LICENSE-tiktoken</c>). Each encoding is decompressed once per process, lazily and
/// thread-safely, on first use by any counter; counters are cheap, immutable and safe to share.</para>
/// </remarks>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private readonly TiktokenEncoding _encoding;
    private readonly ChatTokenOverheadOptions _overhead;

    private TiktokenTokenCounter(TiktokenEncoding encoding, ChatTokenOverheadOptions? overhead)
    {
        _encoding = encoding;
        var source = overhead ?? new ChatTokenOverheadOptions();

        // Copied so a later change to the caller's options object cannot change this counter.
        _overhead = new ChatTokenOverheadOptions
        {
            TokensPerMessage = source.TokensPerMessage,
            TokensPerName = source.TokensPerName,
            ReplyPrimingTokens = source.ReplyPrimingTokens,
        };
    }

    /// <summary>Gets the encoding's name: <c>o200k_base</c> or <c>cl100k_base</c>.</summary>
    public string EncodingName => _encoding.Name;

    /// <summary>Gets the encoding this counter shares with every other counter of the same encoding.</summary>
    internal TiktokenEncoding Encoding => _encoding;

    /// <summary>Creates a counter for <c>o200k_base</c> (GPT-4o, GPT-4.1, o1/o3/o4, GPT-5).</summary>
    /// <param name="overhead">The chat-format overhead for <see cref="CountTokens(IEnumerable{ChatMessage})"/>; <see langword="null"/> for the cookbook's defaults.</param>
    /// <returns>A counter.</returns>
    public static TiktokenTokenCounter CreateO200kBase(ChatTokenOverheadOptions? overhead = null)
        => new(TiktokenEncoding.O200kBase, overhead);

    /// <summary>Creates a counter for <c>cl100k_base</c> (GPT-4, GPT-3.5-turbo, text-embedding-3).</summary>
    /// <param name="overhead">The chat-format overhead for <see cref="CountTokens(IEnumerable{ChatMessage})"/>; <see langword="null"/> for the cookbook's defaults.</param>
    /// <returns>A counter.</returns>
    public static TiktokenTokenCounter CreateCl100kBase(ChatTokenOverheadOptions? overhead = null)
        => new(TiktokenEncoding.Cl100kBase, overhead);

    /// <inheritdoc />
    public int CountTokens(string text) => _encoding.CountTokens(Throw.IfNull(text));

    /// <summary>Counts the tokens of a span of text; allocation-free except for rare pieces of more than 256 UTF-8 bytes that are not a single token.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token count.</returns>
    public int CountTokens(ReadOnlySpan<char> text) => _encoding.CountTokens(text);

    /// <inheritdoc />
    /// <remarks>
    /// The sum, over messages, of <see cref="ChatTokenOverheadOptions.TokensPerMessage"/>, the role's tokens, the author
    /// name's tokens plus <see cref="ChatTokenOverheadOptions.TokensPerName"/> when there is a name, and the tokens of
    /// each content's text: a <see cref="TextContent"/>'s text, a <see cref="FunctionCallContent"/>'s name and its
    /// arguments as JSON, a <see cref="FunctionResultContent"/>'s result (as is when a string, else as JSON); plus
    /// <see cref="ChatTokenOverheadOptions.ReplyPrimingTokens"/> once. Other contents count nothing.
    /// </remarks>
    public int CountTokens(IEnumerable<ChatMessage> messages)
        => ChatMessageTokenCounting.Count(messages, _overhead, text => _encoding.CountTokens(text));

    /// <summary>Encodes a text into token ids, as tiktoken's <c>encode_ordinary</c> does.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token ids.</returns>
    public IReadOnlyList<int> EncodeOrdinary(string text) => _encoding.Encode(Throw.IfNull(text));
}
