using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Splits a message list into atomic groups: a message on its own, or an assistant message carrying function calls
/// together with the tool messages that answer those calls. Trimming cuts only between groups.
/// </summary>
internal static class ToolCallGroups
{
    /// <summary>Returns the start index of every group, in order.</summary>
    public static List<int> GroupStarts(IReadOnlyList<ChatMessage> messages)
    {
        var starts = new List<int>();
        var i = 0;
        while (i < messages.Count)
        {
            starts.Add(i);
            var pending = CallIds(messages[i]);
            i++;
            while (pending.Count > 0 && i < messages.Count && AnswersAny(messages[i], pending))
            {
                foreach (var content in messages[i].Contents)
                {
                    if (content is FunctionResultContent result)
                    {
                        pending.Remove(result.CallId);
                    }
                }

                i++;
            }
        }

        return starts;
    }

    private static HashSet<string> CallIds(ChatMessage message)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var content in message.Contents)
        {
            if (content is FunctionCallContent call && !call.InformationalOnly)
            {
                ids.Add(call.CallId);
            }
        }

        return ids;
    }

    private static bool AnswersAny(ChatMessage message, HashSet<string> pending)
    {
        foreach (var content in message.Contents)
        {
            if (content is FunctionResultContent result && pending.Contains(result.CallId))
            {
                return true;
            }
        }

        return false;
    }
}
