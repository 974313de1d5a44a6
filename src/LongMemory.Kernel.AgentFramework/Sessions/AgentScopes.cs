using System.Text.Json;
using LongMemory.Kernel.Integration;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.AgentFramework;

/// <summary>
/// Resolves the memory scope of an agent run: the session id lives in the <see cref="AgentSession.StateBag"/> (so it
/// round-trips through session serialization), the user comes from the app (run options or the configured user).
/// Both providers use this, so they always act on the same session.
/// </summary>
internal static class AgentScopes
{
    /// <summary>The state bag key of the LongMemory session id, shared by both providers.</summary>
    internal const string StateKey = "LongMemory.Kernel.Session";

    public static async Task<MemoryScope> ResolveAsync(MemoryAdapter memory, AIAgent agent, AgentSession? session, LongMemoryAgentOptions options, CancellationToken cancellationToken)
    {
        RejectMiddleware(agent);
        if (session is null)
        {
            throw new InvalidOperationException("LongMemory needs an AgentSession to know which conversation a run belongs to: pass one to RunAsync (agent.CreateSessionAsync()).");
        }

        var userId = RunUserId() ?? options.UserId;
        string sessionId;
        if (session.StateBag.TryGetValue<SessionState>(StateKey, out var state, AIJsonUtilities.DefaultOptions) && state?.SessionId is { Length: > 0 } existing)
        {
            sessionId = existing;
        }
        else
        {
            sessionId = "agent-" + Guid.NewGuid().ToString("N");
            session.StateBag.SetValue(StateKey, new SessionState { SessionId = sessionId }, AIJsonUtilities.DefaultOptions);
        }

        return await memory.EnsureSessionAsync(new MemoryScope(userId, sessionId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the agent keeps its history in our store (then that provider records the turns).</summary>
    public static bool HistoryIsOurs(AIAgent agent, ChatMemory memory)
        => agent.GetService<ChatClientAgent>()?.ChatHistoryProvider is LongMemoryChatHistoryProvider history && ReferenceEquals(history.Memory, memory);

    /// <summary>
    /// The memory middleware under an agent whose providers also record would store every turn twice and, with no
    /// conversation id from the agent, put every session in one: refuse that combination up front.
    /// </summary>
    private static void RejectMiddleware(AIAgent agent)
    {
        if (agent.GetService<LongMemoryChatClient>() is not null)
        {
            throw new InvalidOperationException(
                "This agent's chat client already has the LongMemory middleware (WithLongMemory / LongMemoryChatClient). With the Agent Framework " +
                "providers it would store every turn twice and share one session across agent sessions: remove the middleware and keep " +
                "LongMemoryChatHistoryProvider and LongMemoryContextProvider.");
        }
    }

    private static string? RunUserId()
        => AIAgent.CurrentRunContext?.RunOptions?.AdditionalProperties is { } properties
           && properties.TryGetValue(LongMemoryAgentOptions.UserIdKey, out var value)
           && (value is JsonElement { ValueKind: JsonValueKind.String } json ? json.GetString() : value?.ToString()) is { } text
           && !string.IsNullOrWhiteSpace(text)
            ? text
            : null;

    internal sealed class SessionState
    {
        public string? SessionId { get; set; }
    }
}
