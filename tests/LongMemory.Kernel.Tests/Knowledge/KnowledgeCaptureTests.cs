using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Knowledge;

public sealed class KnowledgeCaptureTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CaptureUserMessageAsync_NewValueForKey_SupersedesAndKeepsHistory()
    {
        var knowledge = new SqliteKnowledgeStore(_temp.Database);
        var capture = new KnowledgeCapture(knowledge);
        var scope = MemoryScope.For("u1", "s1");

        Assert.Equal(1, await capture.CaptureUserMessageAsync(scope, User(1, "I live in Lyon.")));
        Assert.Equal(0, await capture.CaptureUserMessageAsync(scope, User(2, "As I said, I live in Lyon.")));
        Assert.Equal(1, await capture.CaptureUserMessageAsync(scope, User(3, "Big news: I moved to Oslo!")));

        var current = Assert.Single(await knowledge.GetCurrentAsync(MemoryOwner.User("u1"), "location"));
        Assert.Equal(("Oslo", 3L, "s1"), (current.Value, current.SourceMessageId!.Value, current.SessionId!));
        var history = await knowledge.GetHistoryAsync(MemoryOwner.User("u1"), "location");
        Assert.Equal(["Lyon", "Oslo"], history.Select(e => e.Value));
        Assert.Equal(current.Id, history[0].SupersededBy);
    }

    [Fact]
    public async Task CaptureAsync_RoundWithTwoValues_LatestMessageWins()
    {
        var knowledge = new SqliteKnowledgeStore(_temp.Database);
        var capture = new KnowledgeCapture(knowledge);
        var scope = MemoryScope.ForSession("anon-1");

        var recorded = await capture.CaptureAsync(scope, [User(5, "I love jazz. My favorite color is red."), User(6, "Actually my favorite color is blue.")]);

        Assert.Equal(2, recorded);
        Assert.Equal("blue", Assert.Single(await knowledge.GetCurrentAsync(scope.Owner, "favorite_color")).Value);
        Assert.Equal("likes jazz", Assert.Single(await knowledge.GetCurrentAsync(scope.Owner, "preference_jazz")).Value);
    }

    [Fact]
    public async Task CaptureUserMessageAsync_Disabled_OrAssistant_RecordsNothing()
    {
        var knowledge = new SqliteKnowledgeStore(_temp.Database);
        var scope = MemoryScope.For("u1", "s1");

        Assert.Equal(0, await new KnowledgeCapture(knowledge, options: new KnowledgeCaptureOptions { CaptureOnUserMessage = false }).CaptureUserMessageAsync(scope, User(1, "My name is Zoe.")));
        Assert.Equal(0, await new KnowledgeCapture(knowledge).CaptureUserMessageAsync(scope, new StoredMessage { Id = 2, SessionId = "s1", Role = ChatRole.Assistant, Content = "My name is Zoe." }));
        Assert.Empty(await knowledge.GetCurrentAsync(MemoryOwner.User("u1")));
    }

    [Fact]
    public async Task CaptureAsync_BelowMinConfidence_IsSkipped()
    {
        var knowledge = new SqliteKnowledgeStore(_temp.Database);
        var capture = new KnowledgeCapture(knowledge, options: new KnowledgeCaptureOptions { MinConfidence = 0.75 });

        // "I'm Carla" scores 0.7, "my name is" 0.95.
        await capture.CaptureAsync(MemoryScope.For("u1", "s1"), [User(1, "I'm Carla."), User(2, "I live in Graz.")]);

        Assert.Empty(await knowledge.GetCurrentAsync(MemoryOwner.User("u1"), "name"));
        Assert.Single(await knowledge.GetCurrentAsync(MemoryOwner.User("u1"), "location"));
    }

    private static StoredMessage User(long id, string text) =>
        new() { Id = id, SessionId = "s1", Role = ChatRole.User, Content = text, CreatedAt = DateTimeOffset.UnixEpoch.AddDays(id) };
}
