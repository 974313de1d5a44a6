namespace LongMemory.Kernel;

/// <summary>
/// The tokens a chat format adds around message text, counted by <see cref="TiktokenTokenCounter.CountTokens(IEnumerable{Microsoft.Extensions.AI.ChatMessage})"/>.
/// </summary>
/// <remarks>
/// The defaults are the ones OpenAI's cookbook uses for its chat models ("How to count tokens with tiktoken"):
/// every message costs 3 tokens (<c>&lt;|start|&gt;{role}\n ... &lt;|end|&gt;</c>) plus the tokens of its role,
/// a message with an author name costs 1 more plus the name's tokens, and 3 tokens prime the reply
/// (<c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>). Other models' templates differ by a few tokens a message;
/// <see cref="CalibratingTokenCounter"/> learns that difference from reported usage.
/// Setters validate, so a bad value fails where it is configured.
/// </remarks>
public sealed class ChatTokenOverheadOptions
{
    private int _tokensPerMessage = 3;
    private int _tokensPerName = 1;
    private int _replyPrimingTokens = 3;

    /// <summary>Gets or sets the fixed tokens every message adds, besides its role and content.</summary>
    /// <value>The default is 3. Must not be negative.</value>
    public int TokensPerMessage
    {
        get => _tokensPerMessage;
        set => _tokensPerMessage = Throw.IfLessThan(value, 0);
    }

    /// <summary>Gets or sets the extra tokens a message with an <see cref="Microsoft.Extensions.AI.ChatMessage.AuthorName"/> adds, besides the name's own tokens.</summary>
    /// <value>The default is 1. Must not be negative.</value>
    public int TokensPerName
    {
        get => _tokensPerName;
        set => _tokensPerName = Throw.IfLessThan(value, 0);
    }

    /// <summary>Gets or sets the tokens that prime the model's reply, added once per counted conversation.</summary>
    /// <value>The default is 3. Must not be negative.</value>
    public int ReplyPrimingTokens
    {
        get => _replyPrimingTokens;
        set => _replyPrimingTokens = Throw.IfLessThan(value, 0);
    }
}
