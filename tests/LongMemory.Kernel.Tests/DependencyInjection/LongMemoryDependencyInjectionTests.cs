using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LongMemory.Kernel.Tests.DependencyInjection;

public class LongMemoryDependencyInjectionTests
{
    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_DefaultVectorWeightConfigured_Used()
    {
        var services = new ServiceCollection();
        services.AddLongMemory(o => o.DefaultVectorWeight = 0.7).UseInMemoryDatabase();
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(0.7, provider.GetRequiredService<ChatMemory>().DefaultVectorWeight);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_EverySettingReachesTheMemory_AndContainerOptionsUntouched()
    {
        var services = new ServiceCollection();
        services.AddLongMemory(o =>
            {
                o.CurrentSessionBoost = 2.5;
                o.Context.MaxContextTokens = 4096;
                o.Context.NonTextContent.ImageTokens = 1000;
                o.Reduction.MaxLiveMessages = 12;
            })
            .UseInMemoryDatabase();
        await using var provider = services.BuildServiceProvider();

        var memory = provider.GetRequiredService<ChatMemory>();
        var configured = provider.GetRequiredService<IOptions<ChatMemoryOptions>>().Value;

        Assert.Equal(2.5, memory.Options.CurrentSessionBoost);
        Assert.Equal(1000, memory.Options.Context.NonTextContent.ImageTokens);
        Assert.Equal(12, memory.Options.Reduction.MaxLiveMessages);
        Assert.Equal(3072, memory.Options.Reduction.TokenBudget); // completed by the memory from the context budget ...
        Assert.Equal(0, configured.Reduction.TokenBudget);         // ... in its own copy, never in the container's options
        Assert.NotSame(configured.Context, memory.Options.Context);
    }

    [Fact(Timeout = 30_000)]
    public async Task DecorateChatClient_ContainerClientUsedForSummaries_NotThroughTheMemory()
    {
        var model = new RecordingChatClient { Respond = (_, _) => new ChatResponse(new ChatMessage(ChatRole.Assistant, "A model-written summary.")) };
        var services = new ServiceCollection();
        services.AddSingleton<IChatClient>(model);
        services.AddLongMemory().UseInMemoryDatabase().DecorateChatClient((_, o) => o.UserId = "alice");
        await using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IChatClient>();
        var memory = provider.GetRequiredService<ChatMemory>();
        var session = await memory.CreateSessionAsync("alice");
        await memory.ForScope(session.Scope).AddMessagesAsync(Enumerable.Range(0, 12).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"Message {i} about the garden and its tomatoes.")));

        await memory.ForScope(session.Scope).SummarizeOldestAsync(8);

        Assert.IsNotType<ExtractiveSummarizer>(memory.Summarizer);
        Assert.NotNull(memory.FactExtractor);
        Assert.NotEmpty(model.Prompts);
        Assert.Contains("A model-written summary.", (await memory.ForScope(session.Scope).GetSummariesAsync()).Select(s => s.Content));
        Assert.Single(await memory.ListSessionsAsync("alice")); // the summarization calls were not recorded as chats
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_AtStart_LogsSummarizerAndFactExtractor()
    {
        var logs = new ListLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<IChatClient>(new RecordingChatClient());
        builder.Services.AddLongMemory().UseInMemoryDatabase().DecorateChatClient((_, o) => o.UserId = "alice");
        using var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await host.StartAsync(cts.Token);
        await host.StopAsync(cts.Token);

        Assert.Contains(logs.Messages, m => m.Contains("summarizer: model summarizer", StringComparison.Ordinal) && m.Contains("fact extractor: ChatClientFactExtractor", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_UseOfflineSummarizer_LogsOfflineParts()
    {
        var logs = new ListLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton<IChatClient>(new RecordingChatClient());
        builder.Services.AddLongMemory().UseInMemoryDatabase().UseOfflineSummarizer();
        using var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await host.StartAsync(cts.Token);
        await host.StopAsync(cts.Token);

        Assert.Contains(logs.Messages, m => m.Contains("offline extractive summarizer", StringComparison.Ordinal) && m.Contains("offline pattern extractor", StringComparison.Ordinal));
    }

    [Fact]
    public void ServiceProvider_DisposedSynchronously_DisposesMemoryWithoutThrowing()
    {
        var services = new ServiceCollection();
        services.AddLongMemory().UseInMemoryDatabase();
        var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<ChatMemory>();

        var error = Record.Exception(provider.Dispose);

        Assert.Null(error);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddChatClient_UseLongMemory_PipelineRecordsPerCallUser()
    {
        var model = new RecordingChatClient();
        var services = new ServiceCollection();
        services.AddLongMemory().UseInMemoryDatabase();
        services.AddChatClient(model).UseLongMemory();
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi from alice")], new ChatOptions { ConversationId = "a", AdditionalProperties = new() { [LongMemoryChatClient.UserIdPropertyKey] = "alice" } });
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi from bob")], new ChatOptions { ConversationId = "b", AdditionalProperties = new() { [LongMemoryChatClient.UserIdPropertyKey] = "bob" } });

        var memory = provider.GetRequiredService<ChatMemory>();
        Assert.NotNull(client.GetService<LongMemoryChatClient>());
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("alice", "a")).GetMessagesAsync()).Count);
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("bob", "b")).GetMessagesAsync()).Count);
        Assert.IsNotType<ExtractiveSummarizer>(memory.Summarizer);
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._messages)
                {
                    owner._messages.Add(formatter(state, exception));
                }
            }
        }
    }
}
