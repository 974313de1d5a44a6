using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.ChatCompletion;

/// <summary>A history the app sends again (every turn, a regenerate, a retry, concurrently) is stored once.</summary>
public class LongMemoryChatClientReplayTests
{
    private static LongMemoryChatClient Client(TestMemory test, IChatClient model)
        => model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_Regenerate_AnswersAgainWithoutStoringHistoryTwice()
    {
        await using var test = new TestMemory();
        var model = new RecordingChatClient();
        using var client = Client(test, model);
        var options = new ChatOptions { ConversationId = "regen" };
        var history = new List<ChatMessage> { new(ChatRole.User, "Tell me about lighthouses.") };
        history.AddRange((await client.GetResponseAsync(history, options)).Messages);
        history.Add(new ChatMessage(ChatRole.User, "Tell me a joke about them."));
        await client.GetResponseAsync(history, options);

        var regenerated = await client.GetResponseAsync(history, options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "regen")).GetMessagesAsync();
        Assert.Equal(5, stored.Count); // u1, a1, u2, a2 and the regenerated a2
        Assert.Equal(2, stored.Count(m => m.Role == ChatRole.User));
        Assert.Equal("Tell me a joke about them.", model.LastPrompt[^1].Text);
        Assert.Single(model.LastPrompt, m => m.Text == "Tell me a joke about them.");
        Assert.NotEmpty(regenerated.Messages);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_SessionReportAppendedInBetween_HistoryStillRecognised()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new RecordingChatClient());
        var options = new ChatOptions { ConversationId = "report" };
        var history = new List<ChatMessage> { new(ChatRole.User, "We are planning a trip to Kyoto in April.") };
        history.AddRange((await client.GetResponseAsync(history, options)).Messages);
        await test.Memory.ForScope(MemoryScope.For("alice", "report")).GenerateReportAsync();

        history.Add(new ChatMessage(ChatRole.User, "Which temples should we visit?"));
        await client.GetResponseAsync(history, options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "report")).GetMessagesAsync();
        Assert.Equal(4, stored.Count(m => m.MessageType == StoredMessageType.Chat));
        Assert.Equal(2, stored.Count(m => m.Role == ChatRole.User));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_ConcurrentResendsOfOneSession_StoredOnce()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new RecordingChatClient());
        var options = new ChatOptions { ConversationId = "concurrent" };
        List<ChatMessage> history =
        [
            new(ChatRole.User, "Hello, I need help with my garden."),
            new(ChatRole.Assistant, "Happy to help with your garden."),
            new(ChatRole.User, "When should I plant tomatoes?"),
        ];

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => client.GetResponseAsync(history, options))));

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "concurrent")).GetMessagesAsync();
        Assert.Equal(2, stored.Count(m => m.Role == ChatRole.User));
        Assert.Equal(5, stored.Count(m => m.Role == ChatRole.Assistant)); // the history's answer and one per call
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_ResentMessageWithSameMessageId_RecognisedEvenIfTextChanged()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new RecordingChatClient());
        var options = new ChatOptions { ConversationId = "ids" };
        var history = new List<ChatMessage> { new(ChatRole.User, "What's a good name for a cat?") { MessageId = "u-1" } };
        var answer = (await client.GetResponseAsync(history, options)).Messages.Single();
        Assert.NotNull(answer.MessageId);

        // The app shows (and re-sends) the answer with its markdown stripped: same message, same id.
        history.Add(new ChatMessage(ChatRole.Assistant, answer.Text.Replace(":", string.Empty, StringComparison.Ordinal)) { MessageId = answer.MessageId });
        history.Add(new ChatMessage(ChatRole.User, "And for a dog?") { MessageId = "u-2" });
        await client.GetResponseAsync(history, options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "ids")).GetMessagesAsync();
        Assert.Equal(4, stored.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_SameShortMessageTwice_StoredTwice()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new RecordingChatClient());
        var options = new ChatOptions { ConversationId = "ok-ok" };

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "ok")], options);
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "ok")], options);

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "ok-ok")).GetMessagesAsync();
        Assert.Equal(2, stored.Count(m => m.Role == ChatRole.User));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_StoredMessagesCarryIdempotencyKeys()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new RecordingChatClient());

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions { ConversationId = "keys" });

        var stored = await test.Memory.ForScope(MemoryScope.For("alice", "keys")).GetMessagesAsync();
        Assert.All(stored, m => Assert.False(string.IsNullOrEmpty(m.Metadata?[TurnMetadata.IdempotencyKey])));
        Assert.Equal(stored.Count, stored.Select(m => m.Metadata![TurnMetadata.IdempotencyKey]).Distinct().Count());
    }
}
