using Microsoft.SemanticKernel;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// The well-known keys that carry the user and session of one call, so one kernel can serve many users and sessions.
/// </summary>
/// <remarks>
/// Semantic Kernel hands <see cref="PromptExecutionSettings.ExtensionData"/> to the chat client as
/// <c>ChatOptions.AdditionalProperties</c>; the memory middleware reads these two keys there. Set them with
/// <see cref="For(string?, string?, PromptExecutionSettings?)"/> or by hand.
/// </remarks>
public static class LongMemoryExecutionSettings
{
    /// <summary>The key of the user id: <c>longmemory.user_id</c>.</summary>
    public const string UserIdKey = "longmemory.user_id";

    /// <summary>The key of the session id: <c>longmemory.session_id</c>.</summary>
    public const string SessionIdKey = "longmemory.session_id";

    /// <summary>Returns execution settings that carry a user and session (a copy of <paramref name="settings"/> when given).</summary>
    /// <param name="userId">The user, or <see langword="null"/> for an anonymous session.</param>
    /// <param name="sessionId">The session, or <see langword="null"/> for the user's default session.</param>
    /// <param name="settings">Settings to extend (for example with a <see cref="FunctionChoiceBehavior"/>); not changed.</param>
    /// <returns>The settings.</returns>
    public static PromptExecutionSettings For(string? userId, string? sessionId = null, PromptExecutionSettings? settings = null)
    {
        var result = settings?.Clone() ?? new PromptExecutionSettings();
        result.ExtensionData = result.ExtensionData is null ? [] : new Dictionary<string, object>(result.ExtensionData);
        if (userId is not null)
        {
            result.ExtensionData[UserIdKey] = Throw.IfNullOrWhitespace(userId);
        }

        if (sessionId is not null)
        {
            result.ExtensionData[SessionIdKey] = Throw.IfNullOrWhitespace(sessionId);
        }

        return result;
    }
}
