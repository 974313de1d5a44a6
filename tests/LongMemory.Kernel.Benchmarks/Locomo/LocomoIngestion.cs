using System.Globalization;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Benchmarks.Locomo;

/// <summary>
/// Feeds a LoCoMo conversation into <see cref="ChatMemory"/> through its public API, the way a chat app records a chat.
/// </summary>
/// <remarks>
/// One user per conversation and one memory session per LoCoMo session, added in session order with one
/// <see cref="ChatMemory.AddMessagesAsync"/> call per session. Speaker A is the <c>user</c> role and speaker B the
/// <c>assistant</c> role: LoCoMo is a dialogue of two people, and a fixed mapping keeps the strict alternation a chat
/// store expects while the text still says who spoke (<c>"Caroline: ..."</c>), so questions naming a person match
/// either side. Each turn is stamped with its session's date (plus one second per turn, to keep order), and a shared
/// image's caption is appended as <c>[shares a photo: caption]</c> because the questions often ask about it.
/// </remarks>
internal static class LocomoIngestion
{
    public static async Task<IngestedConversation> IngestAsync(ChatMemory memory, LocomoConversation conversation, bool dateInText, CancellationToken cancellationToken = default)
    {
        var userId = "locomo-" + conversation.SampleId;
        var turnsByMessage = new Dictionary<long, string>();
        var texts = new List<(string DiaId, string Text)>();
        ChatSession? last = null;
        foreach (var session in conversation.Sessions)
        {
            if (session.Turns.Count == 0)
            {
                continue;
            }

            var chatSession = await memory.CreateSessionAsync(userId, $"{conversation.SampleId} session {session.Number}", cancellationToken: cancellationToken).ConfigureAwait(false);
            var messages = new List<ChatMessage>(session.Turns.Count);
            var diaIds = new List<string>(session.Turns.Count);
            for (var i = 0; i < session.Turns.Count; i++)
            {
                var turn = session.Turns[i];
                var text = TextOf(turn, dateInText ? session.Date : null);
                var role = string.Equals(turn.Speaker, conversation.SpeakerB, StringComparison.Ordinal) ? ChatRole.Assistant : ChatRole.User;
                messages.Add(new ChatMessage(role, text) { CreatedAt = session.Date.AddSeconds(i) });
                var ids = EvidenceIds.Normalize(turn.DiaId);
                var diaId = ids.Count == 1 ? ids[0] : turn.DiaId;
                diaIds.Add(diaId);
                texts.Add((diaId, text));
            }

            var stored = await memory.ForScope(chatSession.Scope).AddMessagesAsync(messages, cancellationToken).ConfigureAwait(false);
            if (stored.Count != messages.Count)
            {
                throw new InvalidOperationException($"Expected {messages.Count} stored messages, got {stored.Count}.");
            }

            for (var i = 0; i < stored.Count; i++)
            {
                turnsByMessage[stored[i].Id] = diaIds[i];
            }

            last = chatSession;
        }

        if (last is null)
        {
            throw new InvalidDataException($"Conversation {conversation.SampleId} has no turns.");
        }

        return new IngestedConversation(conversation, userId, last.Scope, turnsByMessage, texts);
    }

    /// <summary>The text a turn is recorded with: "Speaker: text [shares a photo: caption]".</summary>
    public static string TextOf(LocomoTurn turn, DateTimeOffset? date)
    {
        var text = turn.Speaker + ": " + turn.Text.Trim();
        if (!string.IsNullOrWhiteSpace(turn.ImageCaption))
        {
            text += " [shares a photo: " + turn.ImageCaption.Trim() + "]";
        }

        return date is { } d ? "[" + d.ToString("d MMMM yyyy", CultureInfo.InvariantCulture) + "] " + text : text;
    }
}
