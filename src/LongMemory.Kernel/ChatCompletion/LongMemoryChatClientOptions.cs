namespace LongMemory.Kernel;

/// <summary>Options of <see cref="LongMemoryChatClient"/>.</summary>
public sealed class LongMemoryChatClientOptions
{
    /// <summary>Gets or sets the user the client acts for. Set by the app, never by the model.</summary>
    /// <value>Default <see langword="null"/>: sessions are anonymous (no cross-session recall).</value>
    public string? UserId { get; set; }

    /// <summary>
    /// Gets or sets the session used when a call's <c>ChatOptions.ConversationId</c> is not set. When both are
    /// <see langword="null"/>, a session is created on the first call and used for the client's lifetime.
    /// </summary>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets a callback raised with each turn's <see cref="ContextReport"/>.</summary>
    public Action<ContextReport>? OnContextReport { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c>ChatOptions.ConversationId</c> is passed on to the inner client.
    /// Leave it off unless the inner client keeps server-side state under the same id.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool ForwardConversationId { get; set; }
}
