using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LongMemory.Kernel.Tests.DependencyInjection;

public class LongMemoryServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddLongMemory_DecorateChatClient_ResolvesMemoryEnabledClient()
    {
        var model = new RecordingChatClient();
        var services = new ServiceCollection();
        services.AddSingleton<IChatClient>(model);
        services.AddLongMemory(o => o.Context.MaxContextTokens = 4096)
            .UseInMemoryDatabase()
            .UseOfflineSummarizer()
            .DecorateChatClient((_, o) => o.UserId = "alice");
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "My name is Alice.")], new ChatOptions { ConversationId = "s1" });

        Assert.IsType<LongMemoryChatClient>(client);
        Assert.NotNull(response.AdditionalProperties?[ContextReport.AdditionalPropertiesKey]);
        var memory = provider.GetRequiredService<ChatMemory>();
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("alice", "s1")).GetMessagesAsync()).Count);
        Assert.Equal(4096, memory.Options.Context.MaxContextTokens);
    }

    [Fact]
    public async Task AddLongMemory_EmbeddingGeneratorInContainer_IsUsed()
    {
        var embedder = new FlakyEmbeddingGenerator(new HashingEmbeddingGenerator());
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
        services.AddLongMemory().UseInMemoryDatabase();
        await using var provider = services.BuildServiceProvider();

        var memory = provider.GetRequiredService<ChatMemory>();
        var session = await memory.CreateSessionAsync("alice");
        await memory.ForScope(session.Scope).AddMessagesAsync([new ChatMessage(ChatRole.User, "hello")]);

        Assert.True(embedder.Calls > 0);
    }

    [Fact]
    public async Task AddLongMemory_InvalidOptions_FailsAtStartWithClearMessage()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLongMemory(o => o.Context.ReservedOutputTokens = 100_000).UseInMemoryDatabase();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ReservedOutputTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecorateChatClient_NoChatClientRegistered_ThrowsClearError()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddLongMemory().DecorateChatClient());
        Assert.Contains("No IChatClient is registered", error.Message, StringComparison.Ordinal);
    }
}
