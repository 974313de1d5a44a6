using LongMemory.Kernel.SemanticKernel;
using LongMemory.Kernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel;

// Outside the LongMemory.Kernel namespace, like an app: there `Kernel` is Semantic Kernel's type.
namespace ReadmeSnippets.SemanticKernel;

/// <summary>The README's snippet, verbatim (between the markers), compiled and run; and the README still shows exactly this code.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact(Timeout = 60_000)]
    public async Task ReadmeSnippet_CompilesAndRuns()
    {
        await using var memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();
        var model = new RecordingChatClient();

        // --- README snippet begins ---
        // An existing SK app registers its model as usual (here an IChatClient)...
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
        // ...and one line gives the kernel's chat service long-term memory.
        builder.AddLongMemory(memory);
        Kernel kernel = builder.Build();

        // Per request: the memory functions bound to this user's session, and the call's user and session.
        var scope = MemoryScope.For("alice", "trip-planning");
        var perRequest = kernel.Clone();
        perRequest.Plugins.AddLongMemory(memory, scope);
        var settings = LongMemoryExecutionSettings.For("alice", "trip-planning",
            new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() });
        var answer = await perRequest.InvokePromptAsync("Remember that I like window seats.", new KernelArguments(settings));

        // A ChatHistory of your own stays inside its budget with hierarchical summaries (trimmed messages stay in the store).
        var history = new ChatHistory("You are a helpful assistant.");
        history.AddUserMessage("Which seat do I like?");
        await history.ReduceInPlaceAsync(new LongMemoryChatHistoryReducer(memory, scope), CancellationToken.None);
        // --- README snippet ends ---

        Assert.False(string.IsNullOrEmpty(answer.ToString()));
        Assert.Equal(3, (await memory.ForScope(scope).GetMessagesAsync()).Count); // the turn, and the reducer recorded the new message
        Assert.Equal(2, history.Count);
        Assert.Contains(model.LastOptions!.Tools!, t => t.Name.EndsWith("SaveToModelMemory", StringComparison.Ordinal));
    }

    [Fact]
    public void Readme_ShowsThisSnippet()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LongMemory.Kernel.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md")).ReplaceLineEndings("\n");
        Assert.Contains(Snippet.ReplaceLineEndings("\n"), readme, StringComparison.Ordinal);
    }

    private const string Snippet = @"using LongMemory.Kernel;
using LongMemory.Kernel.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

// An existing SK app registers its model as usual (here an IChatClient)...
var builder = Kernel.CreateBuilder();
builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
// ...and one line gives the kernel's chat service long-term memory.
builder.AddLongMemory(memory);
Kernel kernel = builder.Build();

// Per request: the memory functions bound to this user's session, and the call's user and session.
var scope = MemoryScope.For(""alice"", ""trip-planning"");
var perRequest = kernel.Clone();
perRequest.Plugins.AddLongMemory(memory, scope);
var settings = LongMemoryExecutionSettings.For(""alice"", ""trip-planning"",
    new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() });
var answer = await perRequest.InvokePromptAsync(""Remember that I like window seats."", new KernelArguments(settings));

// A ChatHistory of your own stays inside its budget with hierarchical summaries (trimmed messages stay in the store).
var history = new ChatHistory(""You are a helpful assistant."");
history.AddUserMessage(""Which seat do I like?"");
await history.ReduceInPlaceAsync(new LongMemoryChatHistoryReducer(memory, scope), CancellationToken.None);
";
}
