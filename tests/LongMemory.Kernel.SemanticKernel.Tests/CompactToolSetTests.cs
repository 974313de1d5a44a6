using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SKKernel = Microsoft.SemanticKernel.Kernel;

namespace LongMemory.Kernel.SemanticKernel.Tests;

/// <summary>The compact memory functions (MemoryToolSet.Compact) as a plugin and from the context provider.</summary>
public sealed class CompactToolSetTests : IAsyncDisposable
{
    private static readonly string[] CompactNames = ["Remember", "Recall", "Forget"];

    private readonly ChatMemory _memory = Scripted.NewMemory();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_Compact_PluginHasTheThreeFunctionsOneParameterEachNoIds()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var kernel = new SKKernel();

        var plugin = kernel.Plugins.AddLongMemory(_memory, session.Scope, MemoryToolSet.Compact);

        Assert.Equal("memory", plugin.Name);
        Assert.Equal(CompactNames, plugin.Select(f => f.Name));
        Assert.All(plugin, f => Assert.Single(f.Metadata.Parameters));
        Assert.All(plugin.SelectMany(f => f.Metadata.Parameters), p => Assert.DoesNotMatch("(?i)(user|session)", p.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_UndefinedToolSet_ThrowsNamingTheParameter()
    {
        var session = await _memory.CreateSessionAsync("alice");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SKKernel().Plugins.AddLongMemory(_memory, session.Scope, (MemoryToolSet)9));

        Assert.Equal("toolSet", error.ParamName);
    }

    [Fact(Timeout = 30_000)]
    public async Task CompactPlugin_KernelAutoFunctionCalling_RemembersThenRecallsInALaterSession()
    {
        var script = Scripted.RememberThenRecall("Remember", "Recall");
        var model = new RecordingChatClient
        {
            Respond = (messages, options) =>
            {
                Assert.Equal(["memory_Remember", "memory_Recall", "memory_Forget"], options!.Tools!.Select(t => t.Name));
                return script(messages, options);
            },
        };
        var kernel = Scripted.KernelWith(model, _memory);

        var first = await Scripted.RunTurnAsync(kernel, "alice", "monday", "Remember that my bike is a green Brompton.", MemoryToolSet.Compact);
        var later = await Scripted.RunTurnAsync(kernel, "alice", "friday", "What bike do I have?", MemoryToolSet.Compact);

        Assert.Contains("\"saved\":\"memory:", first, StringComparison.Ordinal);
        Assert.Contains("green Brompton", later, StringComparison.Ordinal);
        Assert.Equal(4, (await _memory.ForScope(MemoryScope.For("alice", "monday")).GetMessagesAsync()).Count); // user, call, result, answer
    }

    [Fact(Timeout = 30_000)]
    public async Task CompactPlugin_BoundToOneUser_OtherUsersIdsReturnNothingAndChangeNothing()
    {
        var alice = _memory.ForScope((await _memory.CreateSessionAsync("alice")).Scope);
        var note = await alice.SaveModelMemoryAsync("Alice's PIN is 4921.");
        var fact = await alice.RememberFactAsync("pin", "4921");
        var kernel = new SKKernel();
        var bob = kernel.Plugins.AddLongMemory(_memory, (await _memory.CreateSessionAsync("bob")).Scope, MemoryToolSet.Compact);

        var outputs = new[]
        {
            await kernel.InvokeAsync<string>(bob["Recall"], new()),
            await kernel.InvokeAsync<string>(bob["Recall"], new() { ["query"] = "PIN 4921" }),
            await kernel.InvokeAsync<string>(bob["Forget"], new() { ["id"] = $"memory:{note.Id}" }),
            await kernel.InvokeAsync<string>(bob["Forget"], new() { ["id"] = $"fact:{fact.Id}" }),
        };

        Assert.All(outputs, o => Assert.DoesNotContain("4921", o!, StringComparison.Ordinal));
        Assert.Contains("No memory with id", outputs[2], StringComparison.Ordinal);
        Assert.Single(await alice.GetModelMemoryAsync());
        Assert.Single(await alice.GetKnowledgeAsync("pin"));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Forget", "id", "memory:x", "not a memory id")]
    [InlineData("Remember", "content", "   ", "Remember: ")]
    [InlineData("Forget", null, null, "Forget")]
    public async Task CompactPlugin_BadArguments_ComeBackAsJsonErrorWithoutStackTrace(string function, string? parameter, string? value, string expected)
    {
        var session = await _memory.CreateSessionAsync("alice");
        var builder = SKKernel.CreateBuilder();
        builder.Plugins.AddLongMemory(_memory, session.Scope, MemoryToolSet.Compact);
        var kernel = builder.Build();
        var arguments = parameter is null ? new KernelArguments() : new KernelArguments { [parameter] = value };

        var result = (await kernel.InvokeAsync(kernel.Plugins["memory"][function], arguments)).GetValue<object>()?.ToString() ?? string.Empty;

        Assert.Contains("\"error\"", result, StringComparison.Ordinal);
        Assert.Contains(expected, result, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", result, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task AIContextProvider_CompactMemoryTools_SuppliesOnlyTheCompactFunctions()
    {
        var provider = new LongMemoryAIContextProvider(_memory, MemoryScope.For("alice", "s1")) { MemoryTools = MemoryToolSet.Compact };

        var context = await provider.ModelInvokingAsync([new ChatMessage(ChatRole.User, "Hi")]);

        Assert.Equal(CompactNames, context.AIFunctions.Select(f => f.Name));
    }

    [Fact]
    public void AIContextProvider_UndefinedMemoryTools_ThrowsNamingTheSetting()
    {
        var provider = new LongMemoryAIContextProvider(_memory, MemoryScope.For("alice", "s1"));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => provider.MemoryTools = (MemoryToolSet)5);

        Assert.Equal(nameof(LongMemoryAIContextProvider.MemoryTools), error.ParamName);
    }

    [Fact]
    public void AddLongMemory_ChatServiceWithMiddlewareMemoryTools_RefusedAtRegistrationWithWhatToUseInstead()
    {
        var builder = SKKernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(new RecordingChatClient().AsChatCompletionService());

        var error = Assert.Throws<ArgumentException>(() => builder.AddLongMemory(_memory, new LongMemoryChatClientOptions { MemoryTools = MemoryToolSet.Compact }));

        Assert.Contains("Plugins.AddLongMemory", error.Message, StringComparison.Ordinal);
    }
}
