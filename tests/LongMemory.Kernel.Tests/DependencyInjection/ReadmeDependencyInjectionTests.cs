using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LongMemory.Kernel.Tests.DependencyInjection;

/// <summary>The README's "Dependency injection" snippets, verbatim between the markers.</summary>
public class ReadmeDependencyInjectionTests
{
    [Fact(Timeout = 60_000)]
    public async Task ReadmeSnippet_PipelineWithFunctionInvocationAndMemory_Works()
    {
        using var folder = new TempDatabase();
        var databasePath = folder.Path + ".di";
        IChatClient model = new RecordingChatClient();
        var builder = Host.CreateApplicationBuilder();

        // README: di begin
        builder.Services.AddLongMemory(o =>
            {
                o.Context.MaxContextTokens = 16_384;
                o.IndexingMode = IndexingMode.Background;
            })
            .UseSqlite(databasePath);
        builder.Services.AddChatClient(model)   // the model's IChatClient (OllamaSharp, OpenAI, ...)
            .UseFunctionInvocation()
            .UseLongMemory();                     // the user and session come with each call
        // README: di end

        using var app = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(cts.Token);

        // README: di-call begin
        var chat = app.Services.GetRequiredService<IChatClient>();
        var options = new ChatOptions
        {
            ConversationId = "trip-planning",
            AdditionalProperties = new() { [LongMemoryChatClient.UserIdPropertyKey] = "alice" },
        };
        ChatResponse response = await chat.GetResponseAsync("Hi! I'm Alice and I live in Lisbon.", options);
        // README: di-call end

        Assert.NotEmpty(response.Text);
        var memory = app.Services.GetRequiredService<ChatMemory>();
        await memory.WhenIdleAsync(cts.Token);
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("alice", "trip-planning")).GetMessagesAsync(cancellationToken: cts.Token)).Count);
        await app.StopAsync(cts.Token);
    }
}
