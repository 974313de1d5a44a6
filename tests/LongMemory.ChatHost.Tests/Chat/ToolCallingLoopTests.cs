using System.Text.Json;
using LongMemory.ChatHost.Chat;
using LongMemory.ChatHost.Hosting;
using LongMemory.Kernel;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Tests.Chat;

public class ToolCallingLoopTests
{
    [Fact]
    public async Task RunAsync_ModelCallsATool_RunsItSendsTheResultBackAndStoresTheTurnOnce()
    {
        using var db = new TempDatabase();
        await using var memory = MemoryFactory.Create(db.Path, 4096, 1024);
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
        using var client = new LongMemoryChatClient(model, memory, new LongMemoryChatClientOptions { UserId = "sam" });
        var loop = new ToolCallingLoop(client, memory.ForScope(session.Scope).CreateTools());
        var called = new List<string>();
        loop.ToolCalled += (call, _) => called.Add(call.Name);

        var result = await loop.RunAsync("Where do I live?", session.Id);

        Assert.Equal("You live in Berlin.", result.Response.Text);
        Assert.Equal(2, result.Rounds);
        Assert.Equal(["ListKnowledge"], called);
        Assert.NotNull(model.Options[0]?.Tools);
        var stored = await memory.ForScope(session.Scope).GetMessagesAsync();
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant], stored.Select(m => m.Role));
    }

    [Fact]
    public async Task RunAsync_ModelKeepsCallingTools_StopsAfterFiveRounds()
    {
        var calls = 0;
        var model = new ScriptedChatClient(_ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c" + ++calls, "Echo")])));
        var echo = AIFunctionFactory.Create(() => "again", "Echo");
        var loop = new ToolCallingLoop(model, [echo]);

        var result = await loop.RunAsync("loop forever", "s1");

        Assert.Equal(ToolCallingLoop.MaxRounds, result.Rounds);
        Assert.Equal(ToolCallingLoop.MaxRounds - 1, result.ToolCalls.Count);
    }

    [Fact]
    public async Task RunAsync_UnknownTool_SendsAnErrorResultInsteadOfThrowing()
    {
        var model = new ScriptedChatClient(
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "NoSuchTool")])),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        var loop = new ToolCallingLoop(model, []);

        var result = await loop.RunAsync("hi", "s1");

        Assert.Equal("ok", result.Response.Text);
        Assert.Contains("no tool named 'NoSuchTool'", Assert.Single(result.ToolCalls).Result.Result?.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A model that answers call n with the n-th step (the last step repeats), and records prompts and options.</summary>
    private sealed class ScriptedChatClient(params Func<IReadOnlyList<ChatMessage>, ChatResponse>[] steps) : IChatClient
    {
        public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];

        public List<ChatOptions?> Options { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var prompt = messages.ToList();
            Prompts.Add(prompt);
            Options.Add(options);
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
