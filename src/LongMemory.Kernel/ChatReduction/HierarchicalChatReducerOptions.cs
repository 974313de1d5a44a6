namespace LongMemory.Kernel;

/// <summary>Options of the <see cref="HierarchicalChatReducer"/>. Validated when the reducer is constructed.</summary>
public sealed class HierarchicalChatReducerOptions
{
    /// <summary>Gets or sets the number of live (untrimmed, non-system) messages above which a reduction round runs.</summary>
    /// <value>Default 40.</value>
    public int MaxLiveMessages { get; set; } = 40;

    /// <summary>Gets or sets the share of <see cref="TokenBudget"/> that live context (system messages, active summaries and live messages) may use before a reduction round runs.</summary>
    /// <value>Default 0.8.</value>
    public double TriggerRatio { get; set; } = 0.8;

    /// <summary>Gets or sets the token budget of the conversation history, measured with the configured <see cref="ITokenCounter"/>. Required.</summary>
    /// <value>No default: it must be set to a positive number.</value>
    public int TokenBudget { get; set; }

    /// <summary>
    /// Gets or sets the share of <see cref="TokenBudget"/> a reduction round aims for. A round also brings the number of live
    /// messages down to <see cref="MaxLiveMessages"/> times this ratio, so rounds are not triggered again on the next turn.
    /// </summary>
    /// <value>Default 0.5. Must be below <see cref="TriggerRatio"/>.</value>
    public double TargetRatio { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets how many of the most recent turns stay verbatim (a turn is a user message and everything that
    /// follows it until the next user message, tool calls included).
    /// </summary>
    /// <value>Default 3.</value>
    /// <remarks>When those turns alone would overflow <see cref="TokenBudget"/>, older parts of them are summarized too; the last turn's newest tool group always stays.</remarks>
    public int KeepLastTurns { get; set; } = 3;

    /// <summary>Gets or sets the number of messages a level-1 summary covers (rounded to tool-group and turn boundaries).</summary>
    /// <value>Default 10.</value>
    public int BlockSize { get; set; } = 10;

    /// <summary>Gets or sets how many summaries of one level are rolled up into one summary of the next level once they are more than this many.</summary>
    /// <value>Default 4.</value>
    public int FanIn { get; set; } = 4;

    /// <summary>Gets or sets the share of <see cref="TokenBudget"/> that active summaries may take before they are rolled up even below <see cref="FanIn"/>.</summary>
    /// <value>Default 0.3.</value>
    public double SummaryTokenShare { get; set; } = 0.3;

    /// <summary>Gets or sets the maximum length of one summary in tokens.</summary>
    /// <value>Default <see langword="null"/>: <see cref="TokenBudget"/> / 40, at least 32 and at most 512 (200 tokens for a budget of 8,000).</value>
    public int? SummaryMaxTokens { get; set; }

    internal int EffectiveSummaryMaxTokens => SummaryMaxTokens ?? Math.Clamp(TokenBudget / 40, 32, 512);

    internal HierarchicalChatReducerOptions Validate()
    {
        if (TokenBudget <= 0)
        {
            throw new ArgumentException($"{nameof(HierarchicalChatReducerOptions)}.{nameof(TokenBudget)} must be set to a positive number of tokens (it was {TokenBudget}).", nameof(TokenBudget));
        }

        Require(MaxLiveMessages >= 2, $"{nameof(MaxLiveMessages)} must be at least 2 (it was {MaxLiveMessages}).");
        Require(TriggerRatio is > 0 and <= 1, $"{nameof(TriggerRatio)} must be in (0, 1] (it was {TriggerRatio}).");
        Require(TargetRatio > 0 && TargetRatio < TriggerRatio, $"{nameof(TargetRatio)} must be above 0 and below {nameof(TriggerRatio)} {TriggerRatio} (it was {TargetRatio}).");
        Require(KeepLastTurns >= 0, $"{nameof(KeepLastTurns)} must not be negative (it was {KeepLastTurns}).");
        Require(BlockSize >= 2, $"{nameof(BlockSize)} must be at least 2 (it was {BlockSize}).");
        Require(FanIn >= 2, $"{nameof(FanIn)} must be at least 2 (it was {FanIn}).");
        Require(SummaryTokenShare is > 0 and < 1, $"{nameof(SummaryTokenShare)} must be in (0, 1) (it was {SummaryTokenShare}).");
        var summaryMax = EffectiveSummaryMaxTokens;
        Require(summaryMax >= 8, $"{nameof(SummaryMaxTokens)} must be at least 8 (it was {summaryMax}).");
        Require(
            2 * summaryMax <= TokenBudget * SummaryTokenShare,
            $"{nameof(SummaryMaxTokens)} {summaryMax} is too large: two summaries must fit in {nameof(SummaryTokenShare)} {SummaryTokenShare} of {nameof(TokenBudget)} {TokenBudget}.");

        return new HierarchicalChatReducerOptions
        {
            MaxLiveMessages = MaxLiveMessages,
            TriggerRatio = TriggerRatio,
            TokenBudget = TokenBudget,
            TargetRatio = TargetRatio,
            KeepLastTurns = KeepLastTurns,
            BlockSize = BlockSize,
            FanIn = FanIn,
            SummaryTokenShare = SummaryTokenShare,
            SummaryMaxTokens = summaryMax,
        };
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{nameof(HierarchicalChatReducerOptions)}: {message}");
        }
    }
}
