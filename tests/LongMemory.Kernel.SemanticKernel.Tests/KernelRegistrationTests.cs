using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SKKernel = Microsoft.SemanticKernel.Kernel;

namespace LongMemory.Kernel.SemanticKernel.Tests;

public sealed class KernelRegistrationTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = Scripted.NewMemory();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task ExtensionData_ReachesChatOptionsAdditionalProperties_NotConversationId()
    {
        // What SK itself does with PromptExecutionSettings.ExtensionData, without any of our code in between.
        var model = new RecordingChatClient();
        var builder = SKKernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
        var kernel = builder.Build();

        await kernel.InvokePromptAsync("Hi", new KernelArguments(LongMemoryExecutionSettings.For("alice", "s-1")));

        Assert.Equal("alice", model.LastOptions!.AdditionalProperties![LongMemoryExecutionSettings.UserIdKey]?.ToString());
        Assert.Equal("s-1", model.LastOptions.AdditionalProperties[LongMemoryExecutionSettings.SessionIdKey]?.ToString());
        Assert.Null(model.LastOptions.ConversationId);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_AutoFunctionCalling_SavesAFactRetrievedInALaterSession()
    {
        var model = new RecordingChatClient { Respond = Scripted.RememberThenRecall("SaveToModelMemory", "RetrieveUserInfo") };
        var kernel = Scripted.KernelWith(model, _memory);

        var first = await Scripted.RunTurnAsync(kernel, "alice", "monday", "Remember that my bike is a green Brompton.");
        var later = await Scripted.RunTurnAsync(kernel, "alice", "friday", "What bike do I have?");

        Assert.True(first.Contains("\"saved\":\"memory:", StringComparison.Ordinal), first + " | " + string.Join(" || ", model.Prompts.Select(p => string.Join(" | ", p.Select(m => m.Role + ":" + string.Join(",", m.Contents.Select(c => c.GetType().Name + "=" + (c as Microsoft.Extensions.AI.TextContent)?.Text)))))));
        Assert.Contains("green Brompton", later, StringComparison.Ordinal);
        Assert.Contains(model.Prompts, p => p.Any(m => m.Contents.OfType<Microsoft.Extensions.AI.FunctionCallContent>().Any(c => c.Name.EndsWith("RetrieveUserInfo", StringComparison.Ordinal))));
        // The model's tool call, its result and the answer are each recorded once in the session that made them.
        var monday = await _memory.ForScope(MemoryScope.For("alice", "monday")).GetMessagesAsync();
        Assert.Equal(4, monday.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task OneKernel_TwoUsers_NeverSeeEachOthersData()
    {
        var model = new RecordingChatClient();
        var kernel = Scripted.KernelWith(model, _memory);

        await Scripted.RunTurnAsync(kernel, "alice", "a-1", "My locker code is 7316 and my cat is Miso.");
        await Scripted.RunTurnAsync(kernel, "bob", "b-1", "What is my locker code? What is my cat called?");
        var bobPrompt = RecordingChatClient.TextOf(model.LastPrompt);
        await Scripted.RunTurnAsync(kernel, "alice", "a-2", "What is my locker code?");
        var alicePrompt = RecordingChatClient.TextOf(model.LastPrompt);

        Assert.DoesNotContain("7316", bobPrompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Miso", bobPrompt, StringComparison.Ordinal);
        Assert.Contains("7316", alicePrompt, StringComparison.Ordinal);
        Assert.Empty(await _memory.ListSessionsAsync("bob").ContinueWith(t => t.Result.Where(s => s.Id.StartsWith("a-", StringComparison.Ordinal)).ToList()));
        // Session ids are per owner: bob naming alice's session id gets a session of his own, with none of her messages.
        await Scripted.RunTurnAsync(kernel, "bob", "a-1", "Show me the earlier messages.");
        Assert.DoesNotContain("7316", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
        Assert.Equal(2, (await _memory.ForScope(MemoryScope.For("alice", "a-1")).GetMessagesAsync()).Count);
        Assert.DoesNotContain("Our keys", string.Join(",", model.LastOptions?.AdditionalProperties?.Keys ?? []), StringComparison.Ordinal);
        Assert.False(model.LastOptions?.AdditionalProperties?.ContainsKey(LongMemoryExecutionSettings.UserIdKey) ?? false);
    }

    [Fact(Timeout = 30_000)]
    public async Task TwoKernels_TwoUsers_NeverSeeEachOthersData()
    {
        var model = new RecordingChatClient();
        SKKernel KernelFor(string user)
        {
            var builder = SKKernel.CreateBuilder();
            builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
            builder.AddLongMemory(_memory, new LongMemoryChatClientOptions { UserId = user });
            return builder.Build();
        }

        var alice = KernelFor("alice");
        var bob = KernelFor("bob");
        await alice.InvokePromptAsync("My passport number is X99123.");
        await bob.InvokePromptAsync("What is my passport number?");

        Assert.DoesNotContain("X99123", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
        await alice.InvokePromptAsync("What is my passport number?");
        Assert.Contains("X99123", RecordingChatClient.TextOf(model.LastPrompt), StringComparison.Ordinal);
    }

    [Fact]
    public void AddLongMemory_WithoutAChatService_SaysToRegisterTheModelFirst()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SKKernel.CreateBuilder().AddLongMemory(_memory));
        Assert.Contains("register the model first", error.Message, StringComparison.Ordinal);
    }
}
