using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace LongMemory.Kernel.Tokenizers;

/// <summary>
/// Counts tokens with any <see cref="Microsoft.ML.Tokenizers.Tokenizer"/>: Llama and other SentencePiece models, BERT
/// (WordPiece), Phi and CodeGen, or tiktoken encodings that <see cref="TiktokenTokenCounter"/> does not ship.
/// </summary>
/// <remarks>
/// <para>
/// Messages are counted exactly as <see cref="TiktokenTokenCounter"/> counts them (the same code): per message
/// <see cref="ChatTokenOverheadOptions.TokensPerMessage"/> plus the role's tokens, an author name's tokens plus
/// <see cref="ChatTokenOverheadOptions.TokensPerName"/>, each content's text (a function call's name and JSON arguments,
/// a function result as text or JSON), and <see cref="ChatTokenOverheadOptions.ReplyPrimingTokens"/> once. Set the
/// overhead to the model's chat template (Llama 3 adds about 4 tokens a message), or use
/// <see cref="CalibratingTokenCounter"/> over this counter to learn it from reported usage.
/// </para>
/// <para>
/// Texts are counted without the tokens a tokenizer adds around a whole sequence (the beginning- and end-of-sentence
/// tokens of SentencePiece and CodeGen): a prompt has them once, not once per message, so they belong to
/// <see cref="ChatTokenOverheadOptions.ReplyPrimingTokens"/>. Unlike <see cref="TiktokenTokenCounter"/>, a tiktoken
/// tokenizer of Microsoft.ML.Tokenizers counts special-token text such as <c>&lt;|endoftext|&gt;</c> as the one special token.
/// </para>
/// <para>The tokenizer is used as is; Microsoft.ML.Tokenizers' tokenizers are safe to share across threads, and so is this counter.</para>
/// </remarks>
public sealed class MlTokenizerTokenCounter : ITokenCounter
{
    private readonly ChatTokenOverheadOptions _overhead;
    private readonly Func<string, int> _countText;

    /// <summary>Initializes a new instance of the <see cref="MlTokenizerTokenCounter"/> class.</summary>
    /// <param name="tokenizer">The model's tokenizer, for example <c>LlamaTokenizer.Create(stream)</c> or <c>TiktokenTokenizer.CreateForModel("gpt-4o")</c>.</param>
    /// <param name="overhead">The chat-format overhead; <see langword="null"/> for the defaults (OpenAI's cookbook). Copied.</param>
    public MlTokenizerTokenCounter(Tokenizer tokenizer, ChatTokenOverheadOptions? overhead = null)
    {
        Tokenizer = Throw.IfNull(tokenizer);
        var source = overhead ?? new ChatTokenOverheadOptions();

        // Copied so a later change to the caller's options object cannot change this counter.
        _overhead = new ChatTokenOverheadOptions
        {
            TokensPerMessage = source.TokensPerMessage,
            TokensPerName = source.TokensPerName,
            ReplyPrimingTokens = source.ReplyPrimingTokens,
        };
        _countText = tokenizer switch
        {
            SentencePieceTokenizer sentencePiece => text => sentencePiece.CountTokens(text, addBeginningOfSentence: false, addEndOfSentence: false),
            CodeGenTokenizer codeGen => text => codeGen.CountTokens(text, codeGen.AddPrefixSpace, addBeginningOfSentence: false, addEndOfSentence: false),
            _ => text => tokenizer.CountTokens(text),
        };
    }

    /// <summary>Gets the tokenizer this counter counts with.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Creates a counter for an OpenAI model's tiktoken encoding, by model name (for example <c>gpt-4o</c>, <c>gpt-4</c>).</summary>
    /// <param name="modelName">The model name Microsoft.ML.Tokenizers knows.</param>
    /// <param name="overhead">The chat-format overhead; <see langword="null"/> for the defaults.</param>
    /// <returns>A counter.</returns>
    /// <remarks>The encoding's data comes from the matching <c>Microsoft.ML.Tokenizers.Data.*</c> package, which the app references.</remarks>
    /// <exception cref="ArgumentException">The model is unknown to Microsoft.ML.Tokenizers.</exception>
    public static MlTokenizerTokenCounter CreateForModel(string modelName, ChatTokenOverheadOptions? overhead = null)
        => new(TiktokenTokenizer.CreateForModel(Throw.IfNullOrWhitespace(modelName)), overhead);

    /// <inheritdoc />
    public int CountTokens(string text) => _countText(Throw.IfNull(text));

    /// <inheritdoc />
    public int CountTokens(IEnumerable<ChatMessage> messages) => ChatMessageTokenCounting.Count(messages, _overhead, _countText);
}
