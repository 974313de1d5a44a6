using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Ollama.Tests.EndToEnd;

/// <summary>
/// A user, a session and a memory, with the pipeline a user builds: OllamaSharp -> num_ctx middleware -> memory
/// middleware -> MEAI's function invocation with the memory tools. Every call of the memory API the end-to-end tests make
/// is in this class, so a change of that API is adapted here.
/// </summary>
internal sealed class MemoryScenario : IAsyncDisposable
{
    /// <summary>The token budget: the memory assembles prompts for it and every request sends it as num_ctx.</summary>
    public const int Budget = 4096;

    private readonly ChatMemory _memory;
    private readonly MemoryScope _scope;
    private readonly string _userId;

    private MemoryScenario(ChatMemory memory, MemoryScope scope, string userId)
    {
        _memory = memory;
        _scope = scope;
        _userId = userId;
    }

    public string SessionId => _scope.SessionId!;

    public static async Task<MemoryScenario> CreateAsync(string userId, CancellationToken cancellationToken = default)
    {
        var memory = new ChatMemoryBuilder()
            .UseInMemoryDatabase()
            .Configure(o =>
            {
                o.Context.MaxContextTokens = Budget;
                o.Context.ReservedOutputTokens = 512;
            })
            .Build();
        var session = await memory.CreateSessionAsync(userId, cancellationToken: cancellationToken);
        return new MemoryScenario(memory, session.Scope, userId);
    }

    public Task RememberAsync(string key, string value, CancellationToken cancellationToken = default)
        => _memory.ForScope(_scope).RememberFactAsync(key, value, cancellationToken: cancellationToken);

    /// <summary>The memory tools, bound to this user and session.</summary>
    public IReadOnlyList<AIFunction> Tools() => _memory.ForScope(_scope).CreateTools();

    /// <summary>Wraps an Ollama client (OllamaSharp's) the way the docs show.</summary>
    public IChatClient Pipeline(IChatClient ollama, int maximumIterations = 5)
        => ollama.AsBuilder()
            .UseOllamaContextWindow(Budget)
            .Build()
            .WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = _userId, SessionId = SessionId })
            .AsBuilder()
            .UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = maximumIterations)
            .Build();

    public ChatOptions Options() => new() { Tools = [.. Tools()], ToolMode = ChatToolMode.Auto };

    /// <summary>The stored session, as role and contents (text, function calls and results) per message.</summary>
    public async Task<IReadOnlyList<ChatMessage>> StoredAsync(CancellationToken cancellationToken = default)
    {
        var stored = await _memory.ForScope(_scope).GetMessagesAsync(cancellationToken: cancellationToken);
        return [.. stored.Select(m => new ChatMessage(m.Role, m.ContentsJson is { } json
            ? JsonSerializer.Deserialize<IList<AIContent>>(json, AIJsonUtilities.DefaultOptions) ?? []
            : [new TextContent(m.Content)]))];
    }

    public ValueTask DisposeAsync() => _memory.DisposeAsync();
}
