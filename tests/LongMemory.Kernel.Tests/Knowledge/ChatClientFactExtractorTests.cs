using System.Text.Json;
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

    [Fact]
    public async Task ExtractAsync_AnswerFollowsSchema_ReturnsFactsWithSourcesAndNormalizedKeys()
    {
        var client = new TestChatClient { Respond = (_, _) => """{"facts":[{"key":"Cat Name","value":"Mochi","confidence":0.8,"source":3},{"key":"name","value":" Ana ","source":99},{"key":"location","value":"Quito","confidence":7}]}""" };

        var facts = await new ChatClientFactExtractor(client).ExtractAsync(Messages);

        Assert.Equal(3, facts.Count);
        Assert.Equal(new ExtractedFact("cat_name", "Mochi", 0.8, 12), facts[0]);
        Assert.Equal(new ExtractedFact("name", "Ana", 0.7, 12), facts[1]);
        Assert.Equal(1.0, facts[2].Confidence);
        var (prompt, _) = Assert.Single(client.Requests);
        Assert.Contains("[3] User: My cat is named Mochi.", prompt[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_Request_CarriesTheJsonSchemaAndLeavesCallersOptionsAlone()
    {
        var client = new TestChatClient { Respond = (_, _) => """{"facts":[]}""" };
        var callerOptions = new ChatOptions { Temperature = 0.1f, ResponseFormat = ChatResponseFormat.Text };

        var facts = await new ChatClientFactExtractor(client, callerOptions).ExtractAsync(Messages);

        Assert.Empty(facts);
        var format = Assert.IsType<ChatResponseFormatJson>(Assert.Single(client.Requests).Options!.ResponseFormat);
        Assert.Equal("extracted_facts", format.SchemaName);
        var schema = format.Schema!.Value;
        Assert.Contains("facts", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var item = schema.GetProperty("properties").GetProperty("facts").GetProperty("items");
        Assert.Equal(["key", "value"], item.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.True(item.GetProperty("properties").TryGetProperty("confidence", out _));
        Assert.Equal(0.1f, Assert.Single(client.Requests).Options!.Temperature);
        Assert.Same(ChatResponseFormat.Text, callerOptions.ResponseFormat);
    }

    [Theory]
    [InlineData("I could not find any facts.")]
    [InlineData("")]
    [InlineData("```json\n{\"facts\":[{\"key\":\"name\",\"value\":\"Ana\"}]}\n```")]
    [InlineData("[{\"key\":\"name\",\"value\":\"Ana\"}]")]
    [InlineData("{\"name\":\"Ana\",\"location\":\"Quito\"}")]
    [InlineData("{\"facts\":[{\"key\":\"name\"}]}")]
    [InlineData("{\"facts\":[{\"key\":\"name\",\"value\":42}]}")]
    [InlineData("{\"facts\":[{\"key\":\"name\",\"value\":\"Ana\",\"mood\":\"happy\"}]}")]
    [InlineData("{\"facts\":[{\"key\":\"name\",\"value\":null}]}")]
    [InlineData("{\"facts\":null}")]
    [InlineData("{\"facts\":[{\"key\":\"name\",\"value\":\"Ana\"},{\"key\":\"location\",\"val")]
    public async Task ExtractAsync_ModelIgnoresTheSchema_ThrowsFactExtractionExceptionWithoutTheContent(string output)
    {
        var client = new TestChatClient { Respond = (_, _) => output };

        var ex = await Assert.ThrowsAsync<FactExtractionException>(() => new ChatClientFactExtractor(client).ExtractAsync(Messages));

        Assert.Contains("extracted_facts", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Ana", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnusableButWellFormedFacts_AreSkipped()
    {
        var longValue = new string('x', 501);
        var client = new TestChatClient { Respond = (_, _) => JsonSerializer.Serialize(new { facts = new object[] { new { key = " ", value = "v" }, new { key = "pet", value = longValue }, new { key = "name", value = "Ana" } } }) };

        var facts = await new ChatClientFactExtractor(client).ExtractAsync(Messages);

        Assert.Equal("name", Assert.Single(facts).Key);
    }

    [Fact]
    public async Task ReduceSessionAsync_ExtractorModelIgnoresTheSchema_KeepsTheSummariesAndReportsTheError()
    {
        using var temp = new TempDatabase();
        var counter = new WordTokenCounter();
        var store = new SqliteSessionStore(temp.Database);
        var model = new TestChatClient { Respond = (_, _) => "Sure! Her name is Priya." };
        var capture = new KnowledgeCapture(new SqliteKnowledgeStore(temp.Database), new ChatClientFactExtractor(model));
        var reducer = new HierarchicalChatReducer(new ExtractiveSummarizer(counter), counter, new HierarchicalChatReducerOptions { TokenBudget = 8000 }, store, store, capture);
        var scope = await StoredReductionTests.NewSessionAsync(store, "u1");
        var generator = new ConversationGenerator(8);
        for (var turn = 0; turn < 25; turn++)
        {
            await StoredReductionTests.AppendAsync(store, scope, generator.NextTurn());
        }

        var result = await reducer.ReduceSessionAsync(scope);

        Assert.True(result.Reduced);
        Assert.NotEmpty(await store.GetSummariesAsync(scope.Owner, scope.SessionId!, activeOnly: true));
        Assert.Equal(0, result.FactsCaptured);
        Assert.Contains("extracted_facts", result.KnowledgeCaptureError, StringComparison.Ordinal);
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
