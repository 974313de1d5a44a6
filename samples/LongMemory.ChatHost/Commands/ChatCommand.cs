namespace LongMemory.ChatHost.Commands;

/// <summary>A parsed input line.</summary>
/// <param name="Kind">The command, or <see cref="ChatCommandKind.Message"/> for a chat message.</param>
/// <param name="Argument">The raw argument text (the message itself for a chat message), trimmed; empty when none.</param>
/// <param name="MessageIds">For /restore: the message ids to bring back.</param>
/// <param name="SummaryId">For /restore summary:N: the summary whose messages come back.</param>
/// <param name="Error">For <see cref="ChatCommandKind.Invalid"/>: what is wrong, for the user.</param>
internal sealed record ChatCommand(
    ChatCommandKind Kind,
    string Argument = "",
    IReadOnlyList<long>? MessageIds = null,
    long? SummaryId = null,
    string? Error = null);
