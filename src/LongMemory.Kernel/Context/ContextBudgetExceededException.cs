namespace LongMemory.Kernel;

/// <summary>The parts of a prompt that are never cut (instructions and the new message) alone exceed the token budget.</summary>
public sealed class ContextBudgetExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ContextBudgetExceededException"/> class.</summary>
    /// <param name="requiredTokens">The tokens of the parts that cannot be cut.</param>
    /// <param name="budgetTokens">The prompt budget (context window minus reserved output).</param>
    public ContextBudgetExceededException(int requiredTokens, int budgetTokens)
        : base($"The new message and instructions need {requiredTokens} tokens but the prompt budget is {budgetTokens} " +
               "(MaxContextTokens minus ReservedOutputTokens). Shorten the message or raise the budget.")
    {
        RequiredTokens = requiredTokens;
        BudgetTokens = budgetTokens;
    }

    /// <summary>Gets the tokens of the parts that cannot be cut.</summary>
    public int RequiredTokens { get; }

    /// <summary>Gets the prompt budget.</summary>
    public int BudgetTokens { get; }
}
