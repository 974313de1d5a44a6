using System.Text.Json;
using LongMemory.ChatHost.Chat;
using LongMemory.ChatHost.Hosting;
using LongMemory.Kernel;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Tests.Chat;

public class ToolCallingChatTests
{
    [Fact(Timeout = 60_000)]
    public async Task GetResponseAsync_ModelCallsATool_RunsItSendsTheResultBackAndStoresTheTurnOnceInItsSession()
    {
        using var db = new TempDatabase();
        await using var memory = MemoryFactory.Create(db.Path, 4096, 1024);
        var other = await memory.CreateSessionAsync("sam");
        var session = await memory.CreateSessionAsync("sam");
        await memory.ForScope(session.Scope).RememberFactAsync("location", "Berlin");
        var model = new ScriptedChatClient(
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "ListKnowledge")])),
            prompt =>
            {
                var result = prompt.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
                var text = JsonSerializer.Serialize(result.Result);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.Contains("Berlin", StringComparison.Ordinal) ? "You live in Berlin." : "I don't know."));
            });
        using var memoryClient = new LongMemoryChatClient(model, memory, new LongMemoryChatClientOptions { UserId = "sam", SessionId = session.Id });
        var called = new List<string>();
        using var client = ToolCallingChat.Create(memoryClient, (call, _) => called.Add(call.Name));

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Where do I live?")], ToolCallingChat.Options(Tools(memory, session)));

        Assert.Equal("You live in Berlin.", response.Text);
        Assert.Equal(["ListKnowledge"], called);
        Assert.Equal(2, model.Prompts.Count);
        Assert.NotNull(model.Options[0]?.Tools);
        var stored = await memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], stored.Select(m => m.Role));
        Assert.Empty(await memory.ForScope(other.Scope).GetMessagesAsync());
    }

    [Fact(Timeout = 60_000)]
    public async Task GetResponseAsync_ModelKeepsCallingToolsPastTheRoundLimit_StoredSessionHasNoCallWithoutItsResult()
    {
        using var db = new TempDatabase();
        await using var memory = MemoryFactory.Create(db.Path, 4096, 1024);
        var session = await memory.CreateSessionAsync("sam");
        var calls = 0;

        // A model that calls a tool whenever tools are offered, and answers in text when they are not.
        var model = new ScriptedChatClient(prompt => new ChatResponse(new ChatMessage(ChatRole.Assistant, "I stopped looking.")))
        {
            WhenToolsOffered = _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + ++calls, "ListKnowledge")])),
        };
        using var memoryClient = new LongMemoryChatClient(model, memory, new LongMemoryChatClientOptions { UserId = "sam", SessionId = session.Id });
        using var client = ToolCallingChat.Create(memoryClient);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Loop forever.")], ToolCallingChat.Options(Tools(memory, session)));

        Assert.Equal("I stopped looking.", response.Text);
        Assert.Equal(ToolCallingChat.MaxToolRounds, calls);
        var stored = await memory.ForScope(session.Scope).GetMessagesAsync();
        var contents = stored.Where(m => m.ContentsJson is not null)
            .SelectMany(m => JsonSerializer.Deserialize<IList<AIContent>>(m.ContentsJson!, AIJsonUtilities.DefaultOptions)!).ToList();
        var callIds = contents.OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        var resultIds = contents.OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.Equal(ToolCallingChat.MaxToolRounds, callIds.Count);
        Assert.All(callIds, id => Assert.Contains(id, resultIds));
        Assert.Equal(ChatRole.Assistant, stored[^1].Role);
        Assert.Equal("I stopped looking.", stored[^1].Content);
    }

    [Fact(Timeout = 60_000)]
    public async Task GetResponseAsync_UnknownTool_SendsAnErrorResultInsteadOfThrowing()
    {
        var model = new ScriptedChatClient(
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "NoSuchTool")])),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        var echo = AIFunctionFactory.Create(() => "echo", "Echo");
        using var client = ToolCallingChat.Create(model);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], ToolCallingChat.Options([echo]));

        Assert.Equal("ok", response.Text);
        var result = Assert.Single(model.Prompts[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Contains("NoSuchTool", result.Result?.ToString(), StringComparison.Ordinal);
    }

    // The one place these tests ask the memory for its tools (the core's scoped API may move this call).
    private static IReadOnlyList<AIFunction> Tools(ChatMemory memory, ChatSession session) => memory.ForScope(session.Scope).CreateTools();

    /// <summary>A model that answers call n with the n-th step (the last step repeats), and records prompts and options.</summary>
    private sealed class ScriptedChatClient(params Func<IReadOnlyList<ChatMessage>, ChatResponse>[] steps) : IChatClient
    {
        public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];

        public List<ChatOptions?> Options { get; } = [];

        /// <summary>Gets or sets the answer when the call offers tools (instead of the steps).</summary>
        public Func<IReadOnlyList<ChatMessage>, ChatResponse>? WhenToolsOffered { get; init; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var prompt = messages.ToList();
            Prompts.Add(prompt);
            Options.Add(options);
            if (WhenToolsOffered is not null && options?.Tools is { Count: > 0 })
            {
                return Task.FromResult(WhenToolsOffered(prompt));
            }

            return Task.FromResult(steps[Math.Min(Prompts.Count - 1, steps.Length - 1)](prompt));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
