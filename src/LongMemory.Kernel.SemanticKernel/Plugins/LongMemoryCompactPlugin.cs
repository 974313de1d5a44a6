using Microsoft.SemanticKernel;
using D = LongMemory.Kernel.MemoryToolDescriptions;

namespace LongMemory.Kernel.SemanticKernel;

/// <summary>
/// The compact memory functions (<see cref="MemoryToolSet.Compact"/>: Remember, Recall, Forget) as a Semantic Kernel
/// plugin for small context windows, bound to one user and session when constructed: the model never supplies a user or
/// session id. Results are compact JSON; bad arguments come back as <c>{"error": "..."}</c>.
/// </summary>
/// <remarks>
/// Each function calls <see cref="MemoryToolOperations"/>, the same code behind
/// <see cref="ScopedMemory.CreateTools(MemoryToolSet)"/>. One parameter each and no parameter descriptions: the
/// function's description says what it takes, and every token of a definition is sent with every request. Register it
/// with <c>kernel.Plugins.AddLongMemory(memory, scope, MemoryToolSet.Compact)</c>.
/// </remarks>
public sealed class LongMemoryCompactPlugin
{
    private readonly MemoryToolOperations _operations;

    /// <summary>Initializes a new instance of the <see cref="LongMemoryCompactPlugin"/> class.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="scope">The user and session the functions act for; it needs a session.</param>
    public LongMemoryCompactPlugin(ChatMemory memory, MemoryScope scope) => _operations = new MemoryToolOperations(Throw.IfNull(memory).ForScope(scope));

    /// <summary>Gets the scope the functions act for.</summary>
    public MemoryScope Scope => _operations.Scope;

    /// <summary>Saves a note about the user.</summary>
    /// <param name="content">The fact or preference, as a full sentence.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.RememberName)]
    [System.ComponentModel.Description(D.Remember)]
    public Task<string> RememberAsync(string content, CancellationToken cancellationToken = default)
        => _operations.RememberAsync(content, cancellationToken);

    /// <summary>Searches facts, notes and past conversations, or lists the facts and notes.</summary>
    /// <param name="query">What to look for; empty lists everything saved.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.RecallName)]
    [System.ComponentModel.Description(D.Recall)]
    public Task<string> RecallAsync(string? query = null, CancellationToken cancellationToken = default)
        => _operations.RecallAsync(query, cancellationToken);

    /// <summary>Forgets a saved note or fact.</summary>
    /// <param name="id">The id Recall returned.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The JSON result.</returns>
    [KernelFunction(D.ForgetName)]
    [System.ComponentModel.Description(D.Forget)]
    public Task<string> ForgetAsync(string id, CancellationToken cancellationToken = default)
        => _operations.ForgetAsync(id, cancellationToken);
}
