using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LongMemory.Kernel;

/// <summary>
/// Keeps a conversation within a token budget by summarizing its oldest messages in blocks (level 1) and rolling block
/// summaries up into summaries of summaries (level 2 and above). Nothing is deleted: with a store, summarized messages are
/// only marked trimmed and can be restored with <see cref="ConversationRestorer"/>.
/// </summary>
/// <remarks>
/// <para>
/// A round runs only when the conversation has more than <see cref="HierarchicalChatReducerOptions.MaxLiveMessages"/> live
/// messages or its live context passes <see cref="HierarchicalChatReducerOptions.TriggerRatio"/> of the budget; below that,
/// no summarizer call is made. A round summarizes the oldest messages until the context is at
/// <see cref="HierarchicalChatReducerOptions.TargetRatio"/> of the budget, so rounds are rare and each one is worth its calls.
/// </para>
/// <para>
/// Cuts keep system messages, keep the last <see cref="HierarchicalChatReducerOptions.KeepLastTurns"/> turns verbatim, never
/// separate a function call from its results, and fall before a user message where possible.
/// </para>
/// <para>
/// Used as an <see cref="IChatReducer"/> (no store) the reducer is stateless towards the caller: it never changes the
/// caller's messages and remembers the summaries it made for a conversation prefix in a small in-memory cache, so repeated
/// calls with a growing history reuse them instead of summarizing again.
/// </para>
/// </remarks>
public sealed partial class HierarchicalChatReducer : IChatReducer
{
    /// <summary>The label that starts every summary message the reducer emits.</summary>
    public const string SummaryLabel = "Summary of earlier conversation";

    /// <summary>The <see cref="ChatMessage.AdditionalProperties"/> key that marks a summary message and holds its level.</summary>
    public const string SummaryLevelPropertyName = "longmemory.summary.level";

    private const int CacheCapacity = 128;
    private const int LockStripes = 16;

    private readonly ISummarizer _summarizer;
    private readonly ITokenCounter _tokenCounter;
    private readonly HierarchicalChatReducerOptions _options;
    private readonly IMessageStore? _messages;
    private readonly ISummaryStore? _summaries;
    private readonly KnowledgeCapture? _knowledgeCapture;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim[] _sessionLocks;
    private readonly PrefixCache _cache = new(CacheCapacity);

    /// <summary>Initializes a new instance of the <see cref="HierarchicalChatReducer"/> class.</summary>
    /// <param name="summarizer">The summarizer (wrap it in a <see cref="FallbackSummarizer"/> to survive model failures).</param>
    /// <param name="tokenCounter">The counter the budget is measured with.</param>
    /// <param name="options">The options; validated (and copied) here.</param>
    /// <param name="messageStore">The message store (store-backed mode; with <paramref name="summaryStore"/>).</param>
    /// <param name="summaryStore">The summary store (store-backed mode; with <paramref name="messageStore"/>).</param>
    /// <param name="knowledgeCapture">Records facts from the messages of each store-backed round, or <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message says which value and why.</exception>
    public HierarchicalChatReducer(
        ISummarizer summarizer,
        ITokenCounter tokenCounter,
        HierarchicalChatReducerOptions options,
        IMessageStore? messageStore = null,
        ISummaryStore? summaryStore = null,
        KnowledgeCapture? knowledgeCapture = null,
        ILoggerFactory? loggerFactory = null)
    {
        _summarizer = Throw.IfNull(summarizer);
        _tokenCounter = Throw.IfNull(tokenCounter);
        _options = Throw.IfNull(options).Validate();
        if ((messageStore is null) != (summaryStore is null))
        {
            throw new ArgumentException("Pass both a message store and a summary store (store-backed) or neither (in memory).", nameof(summaryStore));
        }

        _messages = messageStore;
        _summaries = summaryStore;
        _knowledgeCapture = knowledgeCapture;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<HierarchicalChatReducer>();
        _sessionLocks = new SemaphoreSlim[LockStripes];
        for (var i = 0; i < _sessionLocks.Length; i++)
        {
            _sessionLocks[i] = new SemaphoreSlim(1, 1);
        }
    }

    private enum Mode
    {
        Triggered,
        Compact,
        Oldest,
    }

    /// <summary>
    /// Reduces an in-memory history: returns the system messages, the summaries of earlier conversation (system messages
    /// labelled <see cref="SummaryLabel"/>) and the recent messages verbatim. The caller's messages are not changed.
    /// </summary>
    /// <param name="messages">The history, oldest first. Summary messages returned by an earlier call are recognised.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The reduced history.</returns>
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        Throw.IfNull(messages);

        // Summary messages from an earlier call are summaries, not conversation; everything else is hashed by prefix.
        var conversation = new List<ChatMessage>();
        var fedBackSummaries = new List<ChatMessage>();
        foreach (var message in messages)
        {
            if (message.AdditionalProperties?.ContainsKey(SummaryLevelPropertyName) == true)
            {
                fedBackSummaries.Add(message);
            }
            else
            {
                conversation.Add(message);
            }
        }

        var prefixHashes = PrefixCache.PrefixHashes(conversation);
        var (covered, cached) = _cache.FindLongest(prefixHashes);

        var state = new State();
        for (var i = 0; i < covered; i++)
        {
            if (conversation[i].Role == ChatRole.System)
            {
                state.Pinned.Add(NewEntry(conversation[i], null));
            }
        }

        state.Summaries.AddRange(cached);
        foreach (var message in fedBackSummaries)
        {
            if (!cached.Any(s => string.Equals(s.Message.Text, message.Text, StringComparison.Ordinal)))
            {
                state.Summaries.Add(FromFedBack(message));
            }
        }

        for (var i = covered; i < conversation.Count; i++)
        {
            state.Live.Add(NewEntry(conversation[i], null, ordinal: i));
        }

        var outcome = await RunRoundAsync(state, Mode.Triggered, 0, null, cancellationToken).ConfigureAwait(false);
        if (outcome.LastConsumedOrdinal >= 0)
        {
            _cache.Add(prefixHashes[outcome.LastConsumedOrdinal], state.Summaries.ToList());
        }

        if (covered == 0 && fedBackSummaries.Count == 0 && outcome.LastConsumedOrdinal < 0)
        {
            return conversation;
        }

        // System messages first, then the summaries, then the recent messages in their original order.
        var leadingSystem = state.Live.TakeWhile(e => e.IsSystem).Count();
        var result = new List<ChatMessage>(state.Pinned.Count + state.Summaries.Count + state.Live.Count);
        result.AddRange(state.Pinned.Select(e => e.Message));
        result.AddRange(state.Live.Take(leadingSystem).Select(e => e.Message));
        result.AddRange(state.Summaries.Select(s => s.Message));
        result.AddRange(state.Live.Skip(leadingSystem).Select(e => e.Message));
        return result;
    }

    /// <summary>
    /// Reduces a stored session if it is over the threshold: summarizes its oldest live messages into level-1 summaries,
    /// rolls summaries up into higher levels, marks the summarized messages trimmed, and records knowledge.
    /// </summary>
    /// <param name="scope">The session (and its user).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did; <see cref="ReductionResult.Reduced"/> is <see langword="false"/> under the threshold.</returns>
    /// <exception cref="InvalidOperationException">The reducer has no session store.</exception>
    /// <exception cref="SessionNotFoundException">The session does not exist or belongs to another user.</exception>
    /// <remarks>
    /// Each summary is computed before anything is written and then stored, with its trimmed flags and roll-up links, in one
    /// <see cref="ISummaryStore.AddSummaryAsync"/> call: a summarizer failure leaves the session as it was after the last
    /// complete summary, and the failure surfaces (unless the summarizer falls back).
    /// </remarks>
    public Task<ReductionResult> ReduceSessionAsync(MemoryScope scope, CancellationToken cancellationToken = default) =>
        RunStoredAsync(scope, Mode.Triggered, 0, cancellationToken);

    /// <summary>Reduces a stored session to the target size now, even below the threshold.</summary>
    /// <param name="scope">The session (and its user).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did.</returns>
    public Task<ReductionResult> CompactAsync(MemoryScope scope, CancellationToken cancellationToken = default) =>
        RunStoredAsync(scope, Mode.Compact, 0, cancellationToken);

    /// <summary>
    /// Summarizes the oldest <paramref name="count"/> live messages of a stored session now (more when a tool call and its
    /// results would otherwise be split; fewer when only the kept recent turns remain).
    /// </summary>
    /// <param name="scope">The session (and its user).</param>
    /// <param name="count">How many of the oldest live messages to summarize.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What the round did.</returns>
    public Task<ReductionResult> SummarizeOldestAsync(MemoryScope scope, int count, CancellationToken cancellationToken = default)
    {
        Throw.IfLessThan(count, 1);
        return RunStoredAsync(scope, Mode.Oldest, count, cancellationToken);
    }

    private async Task<ReductionResult> RunStoredAsync(MemoryScope scope, Mode mode, int count, CancellationToken cancellationToken)
    {
        Throw.IfNull(scope);
        var sessionId = scope.SessionId ?? throw new ArgumentException("The scope must name a session.", nameof(scope));
        var store = _messages is null ? throw new InvalidOperationException($"{nameof(HierarchicalChatReducer)} was created without stores; pass a message and a summary store to reduce stored sessions.")
            : new Stores(scope.Owner, _messages, _summaries!);

        var gate = _sessionLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(scope.Owner.Key + "\n" + sessionId) % LockStripes)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var live = await store.Messages.GetMessagesAsync(store.Owner, sessionId, new MessageQuery { IncludeTrimmed = false }, cancellationToken).ConfigureAwait(false);
            var summaries = await store.Summaries.GetSummariesAsync(store.Owner, sessionId, activeOnly: true, cancellationToken).ConfigureAwait(false);

            var state = new State { SessionId = sessionId };
            state.Summaries.AddRange(summaries.OrderBy(s => s.FirstMessageId).Select(FromSummary));
            foreach (var message in live)
            {
                state.Live.Add(NewEntry(StoredMessageMapper.ToChatMessage(message), message));
            }

            var outcome = await RunRoundAsync(state, mode, count, store, cancellationToken).ConfigureAwait(false);

            var facts = 0;
            string? captureError = null;
            if (_knowledgeCapture is not null && outcome.Summarized.Count > 0)
            {
                try
                {
                    facts = await _knowledgeCapture.CaptureAsync(scope, outcome.Summarized, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The summaries are stored; a failed capture is reported, not allowed to undo the round.
                    captureError = ex.Message;
                    LogCaptureFailed(sessionId, ex.GetType().Name);
                }
            }

            if (outcome.Ran)
            {
                LogRound(sessionId, mode.ToString(), outcome.MessagesTrimmed, outcome.Retrimmed, outcome.Calls, outcome.TokensBefore, state.TotalTokens);
            }

            return new ReductionResult
            {
                Reduced = outcome.Ran,
                SummariesCreatedByLevel = outcome.CreatedByLevel,
                MessagesTrimmed = outcome.MessagesTrimmed,
                MessagesRetrimmed = outcome.Retrimmed,
                SummarizationCalls = outcome.Calls,
                TokensBefore = outcome.TokensBefore,
                TokensAfter = state.TotalTokens,
                LiveMessagesAfter = state.Live.Count(e => !e.IsSystem),
                FactsCaptured = facts,
                KnowledgeCaptureError = captureError,
            };
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<Outcome> RunRoundAsync(State state, Mode mode, int oldestCount, Stores? store, CancellationToken cancellationToken)
    {
        var outcome = new Outcome { TokensBefore = state.TotalTokens };
        var budget = _options.TokenBudget;
        var liveCount = state.Live.Count(e => !e.IsSystem);
        var overTrigger = liveCount > _options.MaxLiveMessages || state.TotalTokens > _options.TriggerRatio * budget;
        if (mode == Mode.Triggered && !overTrigger)
        {
            return outcome;
        }

        outcome.Ran = true;

        // Restored messages inside an active summary's range are already summarized: trim them again, without a model call.
        if (store is not null && state.Summaries.Count > 0)
        {
            var restored = state.Live
                .Where(e => !e.IsSystem && e.Stored is not null && state.Summaries.Any(s => e.Stored.Id >= s.Summary.FirstMessageId && e.Stored.Id <= s.Summary.LastMessageId))
                .ToList();
            if (restored.Count > 0)
            {
                await store.Messages.SetTrimmedAsync(store.Owner, state.SessionId!, restored.Select(e => e.Stored!.Id).ToList(), trimmed: true, cancellationToken).ConfigureAwait(false);
                state.Live.RemoveAll(restored.Contains);
                outcome.Retrimmed = restored.Count;
            }
        }

        try
        {
            await SummarizeBlocksAsync(state, mode, oldestCount, store, outcome, cancellationToken).ConfigureAwait(false);
            await RollUpAsync(state, store, outcome, cancellationToken).ConfigureAwait(false);
        }
        catch (StaleReductionException)
        {
            // Another instance or process reduced this session between our read and our write; what it stored stands,
            // and nothing of this plan was (the store checked in the same transaction). The next turn plans again.
            LogStale(state.SessionId ?? string.Empty);
        }

        return outcome;
    }

    private async Task SummarizeBlocksAsync(State state, Mode mode, int oldestCount, Stores? store, Outcome outcome, CancellationToken cancellationToken)
    {
        var messages = state.Live.Select(e => e.Message).ToList();
        var starts = ToolCallGroups.GroupStarts(messages);
        var groupCount = starts.Count;
        if (groupCount <= 1)
        {
            return;
        }

        int GroupEnd(int g) => g + 1 < groupCount ? starts[g + 1] : messages.Count;
        bool IsUserStart(int g) => g < groupCount && messages[starts[g]].Role == ChatRole.User;
        int NonSystemCount(int fromGroup, int toGroup)
        {
            var n = 0;
            for (var i = starts[fromGroup]; i < (toGroup < groupCount ? starts[toGroup] : messages.Count); i++)
            {
                n += state.Live[i].IsSystem ? 0 : 1;
            }

            return n;
        }

        // The kept tail starts at the KeepLastTurns-th last turn; the newest group always stays.
        var keepFrom = groupCount - 1;
        var turns = 0;
        for (var g = groupCount - 1; g >= 0 && turns < _options.KeepLastTurns; g--)
        {
            if (IsUserStart(g))
            {
                turns++;
                keepFrom = g;
            }
        }

        if (turns < _options.KeepLastTurns)
        {
            keepFrom = 0;
        }

        var targetTokens = _options.TargetRatio * _options.TokenBudget;
        var targetCount = (int)(_options.MaxLiveMessages * _options.TargetRatio);
        var liveCount = state.Live.Count(e => !e.IsSystem);
        var liveTokens = state.Live.Sum(e => e.Tokens);
        var consumed = 0;

        int Tokens() => state.Pinned.Sum(e => e.Tokens) + state.Summaries.Sum(s => s.Tokens) + liveTokens;
        bool NeedsMore() => mode == Mode.Oldest
            ? consumed < oldestCount
            : Tokens() > targetTokens || liveCount > targetCount;

        var position = 0;
        var removed = new HashSet<Entry>();
        while (NeedsMore())
        {
            if (position >= keepFrom)
            {
                // The kept turns alone overflow the budget: summarize into them, but keep the newest group.
                if (mode == Mode.Oldest || Tokens() <= _options.TokenBudget || keepFrom >= groupCount - 1)
                {
                    break;
                }

                keepFrom = groupCount - 1;
            }

            var wanted = mode == Mode.Oldest ? Math.Min(_options.BlockSize, oldestCount - consumed) : _options.BlockSize;
            var end = ChooseBlockEnd(position, keepFrom, wanted, preferUserStart: mode != Mode.Oldest, NonSystemCount, IsUserStart);

            var block = state.Live.GetRange(starts[position], GroupEnd(end - 1) - starts[position]);
            var toSummarize = block.Where(e => !e.IsSystem).ToList();
            if (toSummarize.Count == 0)
            {
                position = end;
                continue;
            }

            var previous = state.Summaries.Count > 0 ? state.Summaries[^1].Summary.Content : null;
            var content = await SummarizeAsync(
                new SummarizationRequest
                {
                    Level = 1,
                    Messages = toSummarize.Select(e => e.Message).ToList(),
                    MaxTokens = _options.EffectiveSummaryMaxTokens,
                    PreviousSummary = previous,
                },
                outcome,
                cancellationToken).ConfigureAwait(false);

            var summary = new ConversationSummary
            {
                SessionId = state.SessionId ?? string.Empty,
                Level = 1,
                FirstMessageId = toSummarize[0].Stored?.Id ?? toSummarize[0].Ordinal,
                LastMessageId = toSummarize[^1].Stored?.Id ?? toSummarize[^1].Ordinal,
                Content = content,
                TokenCount = _tokenCounter.CountTokens(content),
                CreatedAt = DateTimeOffset.UtcNow,
            };

            if (store is not null)
            {
                summary = await store.Summaries.AddSummaryAsync(store.Owner, summary, toSummarize.Select(e => e.Stored!.Id).ToList(), [], cancellationToken).ConfigureAwait(false)
                    ?? throw new StaleReductionException();
                outcome.Summarized.AddRange(toSummarize.Select(e => e.Stored!));
            }

            var active = FromSummary(summary);
            state.Summaries.Add(active);
            foreach (var entry in block)
            {
                removed.Add(entry);
                liveTokens -= entry.Tokens;
                if (entry.IsSystem)
                {
                    state.Pinned.Add(entry);
                }
                else
                {
                    liveCount--;
                }
            }

            consumed += toSummarize.Count;
            outcome.MessagesTrimmed += toSummarize.Count;
            outcome.Count(1);
            outcome.LastConsumedOrdinal = block[^1].Ordinal;
            position = end;

            // Rolling up as blocks are added keeps the summaries' share bounded even when one round covers a long history.
            await RollUpAsync(state, store, outcome, cancellationToken).ConfigureAwait(false);
        }

        state.Live.RemoveAll(removed.Contains);
    }

    // Picks the exclusive end group of a block that starts at `position`: about `wanted` messages, preferring a cut right
    // before a user message within half a block either way.
    private static int ChooseBlockEnd(int position, int limit, int wanted, bool preferUserStart, Func<int, int, int> nonSystemCount, Func<int, bool> isUserStart)
    {
        var full = -1;
        for (var g = position + 1; g <= limit; g++)
        {
            if (nonSystemCount(position, g) >= wanted)
            {
                full = g;
                break;
            }
        }

        if (full < 0)
        {
            return limit;
        }

        if (!preferUserStart || isUserStart(full))
        {
            return full;
        }

        var slack = Math.Max(1, wanted / 2);
        for (var step = 1; step <= slack; step++)
        {
            var forward = full + step;
            if (forward <= limit && nonSystemCount(position, forward) <= wanted + slack && (isUserStart(forward) || forward == limit))
            {
                return forward;
            }

            var backward = full - step;
            if (backward > position && nonSystemCount(position, backward) >= wanted - slack && isUserStart(backward))
            {
                return backward;
            }
        }

        return full;
    }

    private async Task RollUpAsync(State state, Stores? store, Outcome outcome, CancellationToken cancellationToken)
    {
        while (PickRollUp(state.Summaries) is var (start, length) && length >= 2)
        {
            var children = state.Summaries.GetRange(start, length);
            var level = children.Max(c => c.Level) + 1;
            var content = await SummarizeAsync(
                new SummarizationRequest
                {
                    Level = level,
                    ChildSummaries = children.Select(c => c.Summary.Content).ToList(),
                    MaxTokens = _options.EffectiveSummaryMaxTokens,
                    PreviousSummary = start > 0 ? state.Summaries[start - 1].Summary.Content : null,
                },
                outcome,
                cancellationToken).ConfigureAwait(false);

            var summary = new ConversationSummary
            {
                SessionId = state.SessionId ?? string.Empty,
                Level = level,
                FirstMessageId = children[0].Summary.FirstMessageId,
                LastMessageId = children[^1].Summary.LastMessageId,
                Content = content,
                TokenCount = _tokenCounter.CountTokens(content),
                CreatedAt = DateTimeOffset.UtcNow,
            };

            if (store is not null)
            {
                summary = await store.Summaries.AddSummaryAsync(store.Owner, summary, [], children.Select(c => c.Summary.Id).ToList(), cancellationToken).ConfigureAwait(false)
                    ?? throw new StaleReductionException();
            }

            state.Summaries.RemoveRange(start, length);
            state.Summaries.Insert(start, FromSummary(summary));
            outcome.Count(level);
        }
    }

    // Fan-in first: a level with more than FanIn summaries rolls up its oldest FanIn. Then the token share: the lowest level
    // holding two or more summaries rolls up (up to FanIn of them), or else the two newest summaries merge.
    private (int Start, int Length)? PickRollUp(List<Active> summaries)
    {
        foreach (var level in summaries.Select(s => s.Level).Distinct().Order())
        {
            var (start, length) = OldestRun(summaries, level);
            if (length > _options.FanIn)
            {
                return (start, _options.FanIn);
            }
        }

        if (summaries.Count < 2 || summaries.Sum(s => s.Tokens) <= _options.SummaryTokenShare * _options.TokenBudget)
        {
            return null;
        }

        foreach (var level in summaries.Select(s => s.Level).Distinct().Order())
        {
            var (start, length) = OldestRun(summaries, level);
            if (length >= 2)
            {
                return (start, Math.Min(length, _options.FanIn));
            }
        }

        return (summaries.Count - 2, 2);
    }

    private static (int Start, int Length) OldestRun(List<Active> summaries, int level)
    {
        var start = summaries.FindIndex(s => s.Level == level);
        var length = 0;
        while (start + length < summaries.Count && summaries[start + length].Level == level)
        {
            length++;
        }

        return (start, length);
    }

    private async Task<string> SummarizeAsync(SummarizationRequest request, Outcome outcome, CancellationToken cancellationToken)
    {
        outcome.Calls++;
        var content = (await _summarizer.SummarizeAsync(request, cancellationToken).ConfigureAwait(false))?.Trim();
        if (string.IsNullOrEmpty(content))
        {
            throw new InvalidOperationException($"The summarizer returned an empty level {request.Level} summary; nothing was trimmed.");
        }

        // Any summarizer is held to the bound, so the budget arithmetic holds whatever it returns.
        return _tokenCounter.CountTokens(content) > request.MaxTokens
            ? TextTruncation.Truncate(content, request.MaxTokens, _tokenCounter)
            : content;
    }

    private Entry NewEntry(ChatMessage message, StoredMessage? stored, int ordinal = -1) =>
        new(message, _tokenCounter.CountTokens([message]), stored, ordinal);

    private Active FromSummary(ConversationSummary summary)
    {
        var message = new ChatMessage(ChatRole.System, $"[{SummaryLabel}, level {summary.Level}]\n{summary.Content}")
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [SummaryLevelPropertyName] = summary.Level },
        };
        return new Active(summary, message, _tokenCounter.CountTokens([message]));
    }

    private Active FromFedBack(ChatMessage message)
    {
        var level = message.AdditionalProperties![SummaryLevelPropertyName] switch
        {
            int i => i,
            long l => (int)l,
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => e.GetInt32(),
            _ => 1,
        };
        var text = message.Text ?? string.Empty;
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        var summary = new ConversationSummary
        {
            SessionId = string.Empty,
            Level = Math.Max(1, level),
            Content = text.StartsWith('[') && newline > 0 ? text[(newline + 1)..] : text,
        };
        return new Active(summary, message, _tokenCounter.CountTokens([message]));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reduced session {SessionId} ({Mode}): {Trimmed} messages summarized, {Retrimmed} restored messages re-trimmed, {Calls} summarizer calls, {TokensBefore} -> {TokensAfter} tokens.")]
    private partial void LogRound(string sessionId, string mode, int trimmed, int retrimmed, int calls, int tokensBefore, int tokensAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reduction of session {SessionId} stopped: another writer reduced it first; its summaries stand.")]
    private partial void LogStale(string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Knowledge capture failed after reducing session {SessionId} ({Error}); the summaries are kept.")]
    private partial void LogCaptureFailed(string sessionId, string error);

    private sealed record Entry(ChatMessage Message, int Tokens, StoredMessage? Stored, int Ordinal)
    {
        public bool IsSystem => Message.Role == ChatRole.System;
    }

    private sealed record Active(ConversationSummary Summary, ChatMessage Message, int Tokens)
    {
        public int Level => Summary.Level;
    }

    /// <summary>The stores of a store-backed reduction, bound to the session's owner.</summary>
    private sealed record Stores(MemoryOwner Owner, IMessageStore Messages, ISummaryStore Summaries);

    /// <summary>Another writer reduced the session first (its messages are already trimmed): stop, the next turn plans again.</summary>
    private sealed class StaleReductionException : Exception
    {
    }

    private sealed class State
    {
        public string? SessionId { get; init; }

        public List<Entry> Pinned { get; } = [];

        public List<Active> Summaries { get; } = [];

        public List<Entry> Live { get; } = [];

        public int TotalTokens => Pinned.Sum(e => e.Tokens) + Summaries.Sum(s => s.Tokens) + Live.Sum(e => e.Tokens);
    }

    private sealed class Outcome
    {
        public bool Ran { get; set; }

        public int TokensBefore { get; init; }

        public int MessagesTrimmed { get; set; }

        public int Retrimmed { get; set; }

        public int Calls { get; set; }

        public int LastConsumedOrdinal { get; set; } = -1;

        public List<StoredMessage> Summarized { get; } = [];

        public Dictionary<int, int> CreatedByLevel { get; } = [];

        public void Count(int level) => CreatedByLevel[level] = CreatedByLevel.GetValueOrDefault(level) + 1;
    }

    // Summaries made for a conversation prefix, keyed by a running hash of the prefix's messages, so a growing in-memory
    // history reuses them. Bounded; the oldest entry goes first.
    private sealed class PrefixCache(int capacity)
    {
        private const ulong FnvOffset = 14695981039346656037;
        private const ulong FnvPrime = 1099511628211;

        private readonly Dictionary<ulong, List<Active>> _entries = [];
        private readonly Queue<ulong> _order = new();
        private readonly object _lock = new();

        public static ulong[] PrefixHashes(List<ChatMessage> messages)
        {
            var hashes = new ulong[messages.Count];
            var hash = FnvOffset;
            for (var i = 0; i < messages.Count; i++)
            {
                hash = Mix(hash, messages[i].Role.Value);
                foreach (var content in messages[i].Contents)
                {
                    hash = content switch
                    {
                        TextContent t => Mix(Mix(hash, "t"), t.Text),
                        FunctionCallContent c => Mix(Mix(Mix(hash, "c"), c.CallId), c.Name),
                        FunctionResultContent r => Mix(Mix(Mix(hash, "r"), r.CallId), Convert.ToString(r.Result, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty),
                        _ => Mix(hash, content.GetType().Name),
                    };
                }

                hashes[i] = hash = Mix(hash, "\u001e");
            }

            return hashes;
        }

        public (int Covered, List<Active> Summaries) FindLongest(ulong[] prefixHashes)
        {
            lock (_lock)
            {
                for (var i = prefixHashes.Length - 1; i >= 0; i--)
                {
                    if (_entries.TryGetValue(prefixHashes[i], out var summaries))
                    {
                        return (i + 1, summaries);
                    }
                }
            }

            return (0, []);
        }

        public void Add(ulong key, List<Active> summaries)
        {
            lock (_lock)
            {
                if (_entries.TryAdd(key, summaries))
                {
                    _order.Enqueue(key);
                    while (_order.Count > capacity)
                    {
                        _entries.Remove(_order.Dequeue());
                    }
                }
                else
                {
                    _entries[key] = summaries;
                }
            }
        }

        private static ulong Mix(ulong hash, string text)
        {
            foreach (var c in text)
            {
                hash = (hash ^ c) * FnvPrime;
            }

            return (hash ^ 0xFF) * FnvPrime;
        }
    }
}
