using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.Memory;

namespace LongMemory.Kernel.Tests.ChatCompletion;

/// <summary>What the model produced is stored even when the consumer stops early, the stream fails or the caller cancels.</summary>
public class LongMemoryChatClientStreamingTests
{
    private static readonly ChatOptions Session = new() { ConversationId = "stream" };

    private static LongMemoryChatClient Client(TestMemory test, IChatClient model)
        => model.WithLongMemory(test.Memory, new LongMemoryChatClientOptions { UserId = "alice" });

    private static Task<IReadOnlyList<StoredMessage>> StoredAsync(TestMemory test) => test.Memory.ForScope(MemoryScope.For("alice", "stream")).GetMessagesAsync();

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_ConsumerStopsAfterFirstUpdate_PartialAnswerStoredAsIncomplete()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new StreamingModel("The lighthouse ", "was built ", "in 1902."));

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "When was the lighthouse built?")], Session))
        {
            Assert.Equal("The lighthouse ", update.Text);
            break;
        }

        var stored = await StoredAsync(test);
        Assert.Equal(2, stored.Count);
        Assert.Equal("The lighthouse", stored[1].Content.TrimEnd());
        Assert.Equal("true", stored[1].Metadata?[TurnMetadata.Incomplete]);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_StreamFailsMidway_PartialAnswerStoredAndErrorSurfaces()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new StreamingModel("Part one, ", "part two") { FailAfter = 1 });

        var error = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Tell me a story.")], Session))
            {
                Assert.NotNull(update);
            }
        });

        Assert.Equal("connection reset", error.Message);
        var stored = await StoredAsync(test);
        Assert.Equal("Part one,", stored[^1].Content.TrimEnd());
        Assert.Equal("true", stored[^1].Metadata?[TurnMetadata.Incomplete]);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_CallerCancelsAfterLastUpdate_AnswerStoredComplete()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new StreamingModel("Done ", "thinking."));
        using var cts = new CancellationTokenSource();

        var received = new List<string>();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Think.")], Session, cts.Token))
            {
                received.Add(update.Text);
                if (received.Count == 2)
                {
                    await cts.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelling may surface here; the answer must be stored either way.
        }

        var stored = await StoredAsync(test);
        Assert.Equal("Done thinking.", stored[^1].Content);
        Assert.False(stored[^1].Metadata?.ContainsKey(TurnMetadata.Incomplete) ?? false);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetResponseAsync_CallerCancelsAfterModelFinished_AnswerStored()
    {
        await using var test = new TestMemory();
        using var cts = new CancellationTokenSource();
        var model = new RecordingChatClient();
        var echo = model.Respond;
        model.Respond = (messages, options) =>
        {
            cts.Cancel(); // the caller gives up just as the model's answer arrives
            return echo(messages, options);
        };
        using var client = Client(test, model);

        try
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Are you there?")], Session, cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Either outcome is fine for the caller; the answer must be stored.
        }

        var stored = await StoredAsync(test);
        Assert.Equal(["Are you there?", "You said: Are you there?"], stored.Select(m => m.Content));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_IncompleteAnswer_LeftOutOfLaterPrompts()
    {
        await using var test = new TestMemory();
        var model = new StreamingModel("A half-finished sentence about pelicans ", "and more.");
        using var client = Client(test, model);
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Tell me about pelicans.")], Session))
        {
            Assert.NotNull(update);
            break;
        }

        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Go on about pelicans.")], Session))
        {
            Assert.NotNull(update);
        }

        var prompt = RecordingChatClient.TextOf(model.Prompts[^1]);
        Assert.Contains("Tell me about pelicans.", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("half-finished", prompt, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetStreamingResponseAsync_UpdatesCarrySessionAndMessageId()
    {
        await using var test = new TestMemory();
        using var client = Client(test, new StreamingModel("a", "b"));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], Session))
        {
            updates.Add(update);
        }

        Assert.All(updates, u => Assert.Equal("stream", u.ConversationId));
        Assert.Single(updates.Select(u => u.MessageId).Distinct());
        Assert.IsType<ContextReport>(updates[0].AdditionalProperties![ContextReport.AdditionalPropertiesKey]);
    }

    /// <summary>Streams fixed text parts, optionally failing after some of them, and records its prompts.</summary>
    private sealed class StreamingModel(params string[] parts) : IChatClient
    {
        public List<IReadOnlyList<ChatMessage>> Prompts { get; } = [];

        public int FailAfter { get; init; } = -1;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Prompts.Add(messages.ToList());
            for (var i = 0; i < parts.Length; i++)
            {
                if (i == FailAfter)
                {
                    throw new HttpRequestException("connection reset");
                }

                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, parts[i]);
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
