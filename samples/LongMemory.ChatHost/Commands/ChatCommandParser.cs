using System.Globalization;

namespace LongMemory.ChatHost.Commands;

/// <summary>Parses a line typed at the chat prompt into a <see cref="ChatCommand"/>.</summary>
internal static class ChatCommandParser
{
    /// <summary>The commands with their argument syntax and a one-line description, in help order.</summary>
    public static IReadOnlyList<(string Syntax, string Description)> Help { get; } =
    [
        ("/new [title]", "start a new session (and switch to it)"),
        ("/sessions", "list your sessions"),
        ("/switch <id or index>", "switch to a session (index as listed by /sessions)"),
        ("/history [n]", "show the last n messages of this session (default 20), trimmed ones marked"),
        ("/summary", "show this session's summaries (hierarchical levels)"),
        ("/knowledge", "show the facts captured about you"),
        ("/memory", "show the model's saved notes (model memory)"),
        ("/remember <text>", "save a note to model memory yourself"),
        ("/forget <fact:N | memory:N>", "forget a fact or a saved note"),
        ("/restore <ids | summary:N>", "bring trimmed messages back into the context, e.g. /restore 12 13 or /restore summary:3"),
        ("/report", "session statistics: messages, trimmed, tokens, summaries, indexing"),
        ("/debug", "the last turn's context report: blocks, budget bar, trimmed badge"),
        ("/help", "this list"),
        ("/quit", "leave (also /exit)"),
    ];

    /// <summary>Parses one line.</summary>
    /// <param name="line">The line as typed.</param>
    /// <returns>The command; <see cref="ChatCommandKind.Message"/> for anything not starting with '/'.</returns>
    public static ChatCommand Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        if (!text.StartsWith('/') || text.StartsWith("//", StringComparison.Ordinal))
        {
            // "//text" sends "/text" as a message, for the rare message that starts with a slash.
            return new ChatCommand(ChatCommandKind.Message, text.StartsWith("//", StringComparison.Ordinal) ? text[1..] : text);
        }

        var space = text.IndexOfAny([' ', '\t']);
        var name = (space < 0 ? text[1..] : text[1..space]).ToLowerInvariant();
        var argument = space < 0 ? string.Empty : text[(space + 1)..].Trim();
        return name switch
        {
            "new" => new ChatCommand(ChatCommandKind.New, argument),
            "sessions" => NoArgument(ChatCommandKind.Sessions, name, argument),
            "switch" => argument.Length == 0
                ? Invalid("/switch needs a session id or an index from /sessions.")
                : new ChatCommand(ChatCommandKind.Switch, argument),
            "history" => ParseHistory(argument),
            "summary" or "summaries" => NoArgument(ChatCommandKind.Summary, name, argument),
            "knowledge" or "facts" => NoArgument(ChatCommandKind.Knowledge, name, argument),
            "memory" => NoArgument(ChatCommandKind.Memory, name, argument),
            "remember" => argument.Length == 0
                ? Invalid("/remember needs the text to save.")
                : new ChatCommand(ChatCommandKind.Remember, argument),
            "forget" => ParseForget(argument),
            "restore" => ParseRestore(argument),
            "report" => NoArgument(ChatCommandKind.Report, name, argument),
            "debug" => NoArgument(ChatCommandKind.Debug, name, argument),
            "help" or "?" => new ChatCommand(ChatCommandKind.Help),
            "quit" or "exit" or "q" => new ChatCommand(ChatCommandKind.Quit),
            _ => Invalid($"Unknown command /{name}. Type /help for the list."),
        };
    }

    /// <summary>Parses "fact:N" or "memory:N" (as shown by /knowledge and /memory).</summary>
    /// <param name="id">The id text.</param>
    /// <param name="kind">"fact" or "memory".</param>
    /// <param name="number">The entry id.</param>
    /// <returns>Whether the id was well formed.</returns>
    public static bool TryParseEntryId(string id, out string kind, out long number)
    {
        kind = string.Empty;
        number = 0;
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var prefix = id[..colon].Trim().ToLowerInvariant();
        kind = prefix switch
        {
            "fact" or "knowledge" => "fact",
            "memory" or "note" => "memory",
            _ => string.Empty,
        };
        return kind.Length > 0
            && long.TryParse(id[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && number > 0;
    }

    private static ChatCommand ParseHistory(string argument)
    {
        if (argument.Length == 0)
        {
            return new ChatCommand(ChatCommandKind.History, "20");
        }

        return int.TryParse(argument, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? new ChatCommand(ChatCommandKind.History, n.ToString(CultureInfo.InvariantCulture))
            : Invalid("/history takes an optional positive number of messages.");
    }

    private static ChatCommand ParseForget(string argument)
    {
        if (argument.Length == 0)
        {
            return Invalid("/forget needs an id: fact:N (from /knowledge) or memory:N (from /memory).");
        }

        return TryParseEntryId(argument, out _, out _)
            ? new ChatCommand(ChatCommandKind.Forget, argument)
            : Invalid($"'{argument}' is not an id. Use fact:N (from /knowledge) or memory:N (from /memory).");
    }

    private static ChatCommand ParseRestore(string argument)
    {
        if (argument.Length == 0)
        {
            return Invalid("/restore needs message ids (e.g. /restore 12 13) or a summary (e.g. /restore summary:3).");
        }

        if (argument.StartsWith("summary:", StringComparison.OrdinalIgnoreCase))
        {
            return long.TryParse(argument["summary:".Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var summaryId) && summaryId > 0
                ? new ChatCommand(ChatCommandKind.Restore, argument, SummaryId: summaryId)
                : Invalid("/restore summary:N needs a positive summary id (see /summary).");
        }

        var ids = new List<long>();
        foreach (var part in argument.Split([' ', ',', ';', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var token = part.StartsWith("message:", StringComparison.OrdinalIgnoreCase) ? part["message:".Length..] : part;
            if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return Invalid($"'{part}' is not a message id. Use numbers (see /history) or summary:N (see /summary).");
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return new ChatCommand(ChatCommandKind.Restore, argument, MessageIds: ids);
    }

    private static ChatCommand NoArgument(ChatCommandKind kind, string name, string argument)
        => argument.Length == 0 ? new ChatCommand(kind) : Invalid($"/{name} takes no argument.");

    private static ChatCommand Invalid(string error) => new(ChatCommandKind.Invalid, Error: error);
}
