using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Offline;
using LongMemory.Kernel;
using Microsoft.Extensions.AI;

namespace LongMemory.ChatHost.Tests.Offline;

public class OfflineRecallChatClientTests
{
    [Fact]
    public async Task GetResponseAsync_UnderMemoryClient_ReceivesFactsFromAnEarlierSessionAndListsTheirBlocks()
    {
        using var db = new TempDatabase();
        await using var memory = MemoryFactory.Create(db.Path, 2048, 512);
        using var offline = new OfflineRecallChatClient();
        using var client = new LongMemoryChatClient(offline, memory, new LongMemoryChatClientOptions { UserId = "sam" });
        var first = await memory.CreateSessionAsync("sam");
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "My name is Sam and I live in Berlin.")], new ChatOptions { ConversationId = first.Id });
        var second = await memory.CreateSessionAsync("sam");

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Which city do I live in?")], new ChatOptions { ConversationId = second.Id });

        var view = Assert.IsType<PromptView>(response.AdditionalProperties![OfflineRecallChatClient.PromptViewKey]);
        Assert.Same(view, offline.LastView);
        Assert.Contains(view.Blocks.SelectMany(b => b.Items), i => i.Text.Contains("Berlin", StringComparison.Ordinal));
        Assert.Empty(view.RecentTurns);
        Assert.StartsWith("(offline) Memory gave me: ", response.Text, StringComparison.Ordinal);
        Assert.Contains(view.Blocks[0].Label, response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Berlin", response.Text, StringComparison.Ordinal);
        Assert.Equal(2, offline.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_NothingRecalled_SaysSo()
    {
        using var offline = new OfflineRecallChatClient();

        var response = await offline.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")]);

        Assert.Equal("(offline) No memory block was recalled for this message; 0 recent message(s) in context.", response.Text);
        Assert.Single(offline.LastPrompt);
    }
}
