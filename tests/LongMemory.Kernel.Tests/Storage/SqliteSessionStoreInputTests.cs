using Microsoft.Extensions.AI;
using static LongMemory.Kernel.Tests.Storage.SqliteSessionStoreTests;

namespace LongMemory.Kernel.Tests.Storage;

public sealed class SqliteSessionStoreInputTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly OwnerTrackingSessionStore _store;

    public SqliteSessionStoreInputTests() => _store = new OwnerTrackingSessionStore(new SqliteSessionStore(_temp.Database));

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task CreateSessionAsync_BlankArguments_ThrowArgumentExceptionNamingThem(string blank)
    {
        Assert.Throws<ArgumentException>("userId", () => MemoryOwner.User(blank));
        await Assert.ThrowsAsync<ArgumentException>("owner", () => _store.Inner.CreateSessionAsync(default));
        await Assert.ThrowsAsync<ArgumentException>("title", () => _store.CreateSessionAsync("alice", blank));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.CreateSessionAsync("alice", sessionId: blank));
    }

    [Fact]
    public async Task SessionIdArguments_NullOrBlank_Throw()
    {
        var owner = MemoryOwner.User("alice");
        await Assert.ThrowsAsync<ArgumentNullException>("sessionId", () => _store.Inner.GetSessionAsync(owner, null!));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.GetSessionAsync(owner, " "));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.GetMessagesAsync(owner, ""));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.AppendMessagesAsync(owner, "\t", [Msg(ChatRole.User, "x")]));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.PurgeSessionAsync(owner, " "));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.SetSessionActiveAsync(owner, " ", true));
        await Assert.ThrowsAsync<ArgumentException>("sessionId", () => _store.Inner.GetIndexStatusAsync(owner, " "));
        await Assert.ThrowsAsync<ArgumentException>("owner", () => _store.Inner.GetMessagesAsync(default, "s"));
        await Assert.ThrowsAsync<ArgumentNullException>("title", () => _store.RenameSessionAsync("s", null!));
        await Assert.ThrowsAsync<ArgumentException>("title", () => _store.RenameSessionAsync("s", " "));
        await Assert.ThrowsAsync<ArgumentException>("owner", () => _store.Inner.ListSessionsAsync(default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("skip", () => _store.ListSessionsAsync("a", skip: -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("maxCount", () => _store.ClaimAsync(0, DateTimeOffset.UtcNow));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>("query.Take", () => _store.GetMessagesAsync("s", new MessageQuery { Take = -1 }));
    }

    [Fact]
    public async Task AppendMessagesAsync_BadMessages_ThrowNamingTheIndexAndStoreNothing()
    {
        var session = await _store.CreateSessionAsync("alice", "t");

        await Assert.ThrowsAsync<ArgumentNullException>("messages", () => _store.AppendMessagesAsync(session.Id, null!));
        var empty = await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, "ok"), Msg(ChatRole.User, "")]));
        Assert.Contains("messages[1]", empty.Message);
        await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, " \n ")]));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [new NewMessage { Role = ChatRole.User, Content = null! }]));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [null!]));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [new NewMessage { Role = ChatRole.Tool, Content = "", ContentsJson = " " }]));
        await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [new NewMessage { Role = ChatRole.User, Content = "x", TokenCount = -1 }]));

        Assert.Empty(await _store.GetMessagesAsync(session.Id));
        Assert.Equal(0, (await _store.GetSessionAsync(session.Id))!.MessageCount);
    }

    [Fact]
    public async Task AppendMessagesAsync_EmptyContentWithContentsJson_IsAccepted()
    {
        var session = await _store.CreateSessionAsync("alice");

        var stored = await _store.AppendMessagesAsync(session.Id, [new NewMessage { Role = ChatRole.Assistant, Content = "", ContentsJson = "[{\"$type\":\"functionCall\"}]" }]);

        Assert.Equal(string.Empty, Assert.Single(stored).Content);
        Assert.Null((await _store.GetSessionAsync(session.Id))!.Title);
    }

    [Fact]
    public async Task AppendMessagesAsync_OneMegabyteMessage_IsReadBackIdentical()
    {
        var session = await _store.CreateSessionAsync("alice", "t");
        var random = new Random(7);
        var chars = new char[1024 * 1024];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0xD7FF);
        }

        var content = new string(chars);
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, content)]);

        Assert.Equal(content, Assert.Single(await _store.GetMessagesAsync(session.Id)).Content);
    }

    [Theory]
    [InlineData("'; DROP TABLE messages; --")]
    [InlineData("Robert'); DELETE FROM sessions WHERE ('1'='1")]
    [InlineData("\"quoted\" 'single' `back` \\ % _ @sessionId $x :y ?")]
    [InlineData("emoji \U0001F600 and \u00e9\u0301 and zero\u200Bwidth")]
    public async Task AppendMessagesAsync_TrickyText_IsStoredVerbatim(string content)
    {
        var session = await _store.CreateSessionAsync("alice", content);
        await _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, content)]);

        Assert.Equal(content, Assert.Single(await _store.GetMessagesAsync(session.Id)).Content);
        Assert.Equal(content, (await _store.GetSessionAsync(session.Id))!.Title);
        Assert.Single(await _store.ListSessionsAsync("alice"));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(600, 603)]
    public async Task AppendMessagesAsync_NulCharacter_IsRejectedWithPosition(int padding, int position)
    {
        // Microsoft.Data.Sqlite cuts a bound string longer than 512 UTF-8 bytes at its first U+0000: it is refused at any length.
        var content = "ab" + new string('x', padding) + (padding > 0 ? "y" : string.Empty) + "\0after";
        var session = await _store.CreateSessionAsync("alice", "t");

        var error = await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, content)]));

        Assert.Contains($"index {position}", error.Message);
        Assert.Empty(await _store.GetMessagesAsync(session.Id));
    }

    // Attribute strings are stored as UTF-8, which would itself replace a lone surrogate: build the text at run time.
    [Theory]
    [InlineData("ab", 0xD800, "cd", 2)]
    [InlineData("", 0xDC00, "", 0)]
    [InlineData("ok\U0001F600 then ", 0xD83D, "", 10)]
    public async Task AppendMessagesAsync_LoneSurrogate_IsRejectedWithPosition(string before, int surrogate, string after, int position)
    {
        var content = before + (char)surrogate + after;
        var session = await _store.CreateSessionAsync("alice", "t");

        var error = await Assert.ThrowsAsync<ArgumentException>("messages", () => _store.AppendMessagesAsync(session.Id, [Msg(ChatRole.User, content)]));

        Assert.Contains($"index {position}", error.Message);
        Assert.Empty(await _store.GetMessagesAsync(session.Id));
        await Assert.ThrowsAsync<ArgumentException>("title", () => _store.CreateSessionAsync("alice", content));
    }
}
