using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel;

/// <summary>
/// Recognises which incoming messages the session already holds, so that a re-sent history (every turn, a regenerate,
/// a retry) is not stored again, and computes the idempotency keys of the messages that are new.
/// </summary>
/// <remarks>
/// A message is recognised by identity where it has one (<see cref="ChatMessage.MessageId"/> against the stored
/// message's id) and by content otherwise (<see cref="StoredMessageMapper.Fingerprint(ChatMessage)"/>). Only turns take
/// part: stored reports and system messages, and answers marked incomplete, are skipped.
/// </remarks>
internal static class HistoryMatcher
{
    /// <summary>The outcome: how many leading incoming messages are known, and whether the whole request is a regenerate.</summary>
    /// <param name="KnownCount">The number of leading incoming messages the session holds.</param>
    /// <param name="Regenerate">
    /// Whether the request repeats a stored exchange up to a user message whose answer is already stored: nothing is new,
    /// and the model answers that message again.
    /// </param>
    /// <param name="Matched">The stored messages matched to the known incoming ones, in order.</param>
    public readonly record struct Match(int KnownCount, bool Regenerate, IReadOnlyList<StoredMessage> Matched);

    public static bool IsTurn(StoredMessage message) => TurnMetadata.IsTurn(message);

    /// <summary>
    /// How many stored turns the app's history may lack (a replaced answer, a message stored twice by a retry) and still
    /// be recognised: this many, plus one per eight matched messages.
    /// </summary>
    internal const int MaxSkipped = 8;

    /// <summary>Recognises the known prefix of <paramref name="incoming"/>.</summary>
    /// <param name="incoming">The request's conversation (no system messages).</param>
    /// <param name="storedNewest">The session's newest stored messages, oldest first.</param>
    /// <param name="olderExist">Whether the session holds older messages than <paramref name="storedNewest"/>: an incoming
    /// history that matches every fetched turn is then taken as known beyond them.</param>
    public static Match Recognise(IReadOnlyList<ChatMessage> incoming, IReadOnlyList<StoredMessage> storedNewest, bool olderExist)
    {
        var stored = storedNewest.Where(IsTurn).ToList();
        if (incoming.Count == 0 || stored.Count == 0)
        {
            return new Match(0, false, []);
        }

        var storedPrints = new string?[stored.Count];
        var incomingPrints = new string?[incoming.Count];

        // 1. The longest prefix of the incoming conversation that ends with the session's newest turn (the usual re-send).
        for (var k = Math.Min(incoming.Count, stored.Count); k > 0; k--)
        {
            if (MatchBackwards(k, stored.Count - 1) is { } matched)
            {
                return new Match(k, false, matched);
            }
        }

        // 2. A regenerate: the whole request ends with the session's newest user message, whose answer is stored after
        // it. One message alone is recognised by identity only ("ok" twice is two turns).
        var last = incoming[^1];
        if (last.Role == ChatRole.User && (incoming.Count >= 2 || last.MessageId is not null))
        {
            var end = stored.FindLastIndex(m => m.Role == ChatRole.User);
            if (end >= 0 && (incoming.Count >= 2 || SameIdentity(last, stored[end])) && MatchBackwards(incoming.Count, end) is { } matched)
            {
                return new Match(incoming.Count, true, matched);
            }
        }

        return new Match(0, false, []);

        // Matches incoming[0..k) against the stored turns ending exactly at stored[end], in order, skipping at most
        // MaxSkipped (+ k / 8) stored turns the app does not have.
        List<StoredMessage>? MatchBackwards(int k, int end)
        {
            if (!Same(k - 1, end))
            {
                return null;
            }

            var matched = new List<StoredMessage>(k) { stored[end] };
            var j = end - 1;
            var skipped = 0;
            for (var i = k - 2; i >= 0; i--)
            {
                if (j < 0 && olderExist)
                {
                    break; // the rest is older than what was read, and everything read matched
                }

                while (j >= 0 && !Same(i, j))
                {
                    if (++skipped > MaxSkipped + (k / 8))
                    {
                        return null;
                    }

                    j--;
                }

                if (j < 0)
                {
                    return null;
                }

                matched.Add(stored[j--]);
            }

            matched.Reverse();
            return matched;
        }

        bool Same(int i, int j)
            => SameIdentity(incoming[i], stored[j])
               || string.Equals(incomingPrints[i] ??= StoredMessageMapper.Fingerprint(incoming[i]), storedPrints[j] ??= StoredMessageMapper.Fingerprint(stored[j]), StringComparison.Ordinal);
    }

    /// <summary>
    /// The key that makes storing a message twice a no-op: its <see cref="ChatMessage.MessageId"/> when it has one,
    /// else its content and its position (the newest stored message of the session and its index in the request).
    /// </summary>
    public static string IdempotencyKey(MemoryScope scope, ChatMessage message, long? parentMessageId, int index)
    {
        var text = new StringBuilder()
            .Append(scope.UserId is null ? "anonymous" : "user:" + scope.UserId).Append('\u001f')
            .Append(scope.SessionId).Append('\u001f');
        if (message.MessageId is { Length: > 0 } id)
        {
            text.Append("id\u001f").Append(id);
        }
        else
        {
            text.Append("after\u001f").Append(parentMessageId?.ToString(CultureInfo.InvariantCulture) ?? "-").Append('\u001f')
                .Append(index.ToString(CultureInfo.InvariantCulture)).Append('\u001f')
                .Append(StoredMessageMapper.Fingerprint(message));
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static bool SameIdentity(ChatMessage incoming, StoredMessage stored)
        => incoming.MessageId is { Length: > 0 } id && string.Equals(id, stored.ResponseId, StringComparison.Ordinal);
}
