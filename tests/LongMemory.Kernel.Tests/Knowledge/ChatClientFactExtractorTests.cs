using Microsoft.Extensions.AI;
using LongMemory.Kernel.Tests.ChatReduction;

namespace LongMemory.Kernel.Tests.Knowledge;

public sealed class ChatClientFactExtractorTests
{
    private static readonly StoredMessage[] Messages =
    [
        new() { Id = 10, SessionId = "s", Role = ChatRole.User, Content = "I'm Ana, I live in Quito." },
        new() { Id = 11, SessionId = "s", Role = ChatRole.Assistant, Content = "Hello Ana." },
        new() { Id = 12, SessionId = "s", Role = ChatRole.User, Content = "My cat is named Mochi." },
    ];

    [Theory]
    [InlineData("[{\"key\":\"name\",\"value\":\"Ana\",\"confidence\":0.9}]", 1)]
    [InlineData("```json\n[{\"key\":\"name\",\"value\":\"Ana\",\"confidence\":0.9}]\n```", 1)]
    [InlineData("Here are the facts: [{\"key\":\"name\",\"value\":\"Ana\"}] Hope that helps! [not json", 1)]
    [InlineData("{\"key\":\"name\",\"value\":\"Ana\",\"confidence\":\"0.9\"}", 1)]
    [InlineData("{\"facts\":[{\"key\":\"name\",\"value\":\"Ana\"},{\"key\":\"location\",\"value\":\"Quito\"}]}", 2)]
    [InlineData("{\"name\":\"Ana\",\"location\":\"Quito\",\"bad\":{\"x\":1}}", 2)]
    [InlineData("[{\"key\":\"name\",\"value\":\"Ana\"},{\"key\":42},{\"value\":\"orphan\"},\"text\",{\"key\":\"age\",\"value\":31,\"confidence\":95}]", 2)]
    [InlineData("[{\"key\":\"name\",\"value\":\"Ana\"},{\"key\":\"location\",\"val", 1)]
    [InlineData("[{\"key\":\"name\",\"value\":\"Ana\",},]", 1)]
    [InlineData("I could not find any facts.", 0)]
    [InlineData("", 0)]
    [InlineData("[]", 0)]
    public async Task ExtractAsync_MessyModelOutput_KeepsWhatIsValidAndNeverThrows(string output, int expected)
    {
        var client = new TestChatClient { Respond = (_, _) => output };

        var facts = await new ChatClientFactExtractor(client).ExtractAsync(Messages);

        Assert.Equal(expected, facts.Count);
        Assert.All(facts, f => Assert.InRange(f.Confidence, 0, 1));
        if (expected > 0)
        {
            Assert.Equal("Ana", facts.Single(f => f.Key == "name").Value);
        }
    }

    [Fact]
    public async Task ExtractAsync_SourceNumber_MapsToMessageId_AndKeysAreNormalized()
    {
        var client = new TestChatClient { Respond = (_, _) => "[{\"key\":\"Cat Name\",\"value\":\"Mochi\",\"confidence\":0.8,\"source\":3},{\"key\":\"name\",\"value\":\"Ana\",\"source\":99}]" };

        var facts = await new ChatClientFactExtractor(client).ExtractAsync(Messages);

        Assert.Equal(("cat_name", "Mochi", 12L), (facts[0].Key, facts[0].Value, facts[0].SourceMessageId!.Value));
        Assert.Equal(12L, facts[1].SourceMessageId);
        var (prompt, options) = Assert.Single(client.Requests);
        Assert.Contains("[3] User: My cat is named Mochi.", prompt[^1].Text, StringComparison.Ordinal);
        Assert.NotNull(options!.ResponseFormat);
    }

    [Fact]
    public async Task ExtractAsync_NoUserMessages_MakesNoModelCall()
    {
        var client = new TestChatClient();

        var facts = await new ChatClientFactExtractor(client).ExtractAsync([Messages[1]]);

        Assert.Empty(facts);
        Assert.Equal(0, client.Calls);
    }
}
