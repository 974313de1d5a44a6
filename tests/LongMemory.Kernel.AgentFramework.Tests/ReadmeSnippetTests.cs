using LongMemory.Kernel.AgentFramework;
using LongMemory.Kernel;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace ReadmeSnippets.AgentFramework;

/// <summary>The README's snippet, verbatim (between the markers), compiled and run; and the README still shows exactly this code.</summary>
public sealed class ReadmeSnippetTests
{
    [Fact(Timeout = 60_000)]
    public async Task ReadmeSnippet_CompilesAndRuns()
    {
        await using var memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();
        var model = new RecordingChatClient();

        // --- README snippet begins ---
        var options = new LongMemoryAgentOptions { UserId = "alice" }; // the signed-in user, from your app
        AIAgent agent = model.AsAIAgent(new ChatClientAgentOptions
        {
            ChatOptions = new ChatOptions { Instructions = "You are a helpful assistant." },
            ChatHistoryProvider = new LongMemoryChatHistoryProvider(memory, options), // durable, reduced history
            AIContextProviders = [new LongMemoryContextProvider(memory, options)],    // recalled memory + memory tools
        });

        AgentSession session = await agent.CreateSessionAsync();
        var response = await agent.RunAsync("Remember that I like window seats.", session);

        // Between requests the session is a small JSON value; the conversation itself is in the store.
        var saved = await agent.SerializeSessionAsync(session);
        AgentSession resumed = await agent.DeserializeSessionAsync(saved);
        // --- README snippet ends ---

        Assert.False(string.IsNullOrEmpty(response.Text));
        Assert.Equal(saved.GetRawText(), (await agent.SerializeSessionAsync(resumed)).GetRawText());
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("alice", (await memory.ListSessionsAsync("alice")).Single().Id)).GetMessagesAsync()).Count);
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
using LongMemory.Kernel.AgentFramework;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

var options = new LongMemoryAgentOptions { UserId = ""alice"" }; // the signed-in user, from your app
AIAgent agent = model.AsAIAgent(new ChatClientAgentOptions
{
    ChatOptions = new ChatOptions { Instructions = ""You are a helpful assistant."" },
    ChatHistoryProvider = new LongMemoryChatHistoryProvider(memory, options), // durable, reduced history
    AIContextProviders = [new LongMemoryContextProvider(memory, options)],    // recalled memory + memory tools
});

AgentSession session = await agent.CreateSessionAsync();
var response = await agent.RunAsync(""Remember that I like window seats."", session);

// Between requests the session is a small JSON value; the conversation itself is in the store.
var saved = await agent.SerializeSessionAsync(session);
AgentSession resumed = await agent.DeserializeSessionAsync(saved);
";
}
