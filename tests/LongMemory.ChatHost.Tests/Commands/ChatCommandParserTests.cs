using LongMemory.ChatHost.Commands;

namespace LongMemory.ChatHost.Tests.Commands;

public class ChatCommandParserTests
{
    [Theory]
    [InlineData("/new", "New")]
    [InlineData("/sessions", "Sessions")]
    [InlineData("/switch 2", "Switch")]
    [InlineData("/history", "History")]
    [InlineData("/summary", "Summary")]
    [InlineData("/knowledge", "Knowledge")]
    [InlineData("/memory", "Memory")]
    [InlineData("/remember I like tea", "Remember")]
    [InlineData("/forget fact:3", "Forget")]
    [InlineData("/restore 4 5", "Restore")]
    [InlineData("/report", "Report")]
    [InlineData("/debug", "Debug")]
    [InlineData("/help", "Help")]
    [InlineData("/quit", "Quit")]
    [InlineData("/exit", "Quit")]
    [InlineData("  /DEBUG  ", "Debug")]
    public void Parse_KnownCommand_ReturnsItsKind(string line, string expected)
        => Assert.Equal(Enum.Parse<ChatCommandKind>(expected), ChatCommandParser.Parse(line).Kind);

    [Fact]
    public void Parse_EveryCommandInHelp_IsRecognised()
    {
        foreach (var (syntax, _) in ChatCommandParser.Help)
        {
            var name = syntax.Split(' ')[0];
            Assert.NotEqual(ChatCommandKind.Invalid, ChatCommandParser.Parse(name + Example(name)).Kind);
        }

        static string Example(string name) => name switch
        {
            "/switch" => " 1",
            "/remember" => " note",
            "/forget" => " memory:1",
            "/restore" => " 1",
            _ => string.Empty,
        };
    }

    [Fact]
    public void Parse_PlainText_IsAMessageWithTheText()
    {
        var command = ChatCommandParser.Parse("  Where do I live?  ");

        Assert.Equal(ChatCommandKind.Message, command.Kind);
        Assert.Equal("Where do I live?", command.Argument);
    }

    [Fact]
    public void Parse_DoubleSlash_SendsTheMessageWithOneSlash()
    {
        var command = ChatCommandParser.Parse("//etc/hosts is a file");

        Assert.Equal(ChatCommandKind.Message, command.Kind);
        Assert.Equal("/etc/hosts is a file", command.Argument);
    }

    [Fact]
    public void Parse_NewWithTitle_KeepsTheTitle()
        => Assert.Equal("Trip to Rome", ChatCommandParser.Parse("/new Trip to Rome").Argument);

    [Fact]
    public void Parse_RestoreIds_ParsesEveryIdOnce()
    {
        var command = ChatCommandParser.Parse("/restore 12, 13 message:14 12");

        Assert.Equal(ChatCommandKind.Restore, command.Kind);
        Assert.Equal([12L, 13L, 14L], command.MessageIds);
        Assert.Null(command.SummaryId);
    }

    [Fact]
    public void Parse_RestoreSummary_ParsesTheSummaryId()
    {
        var command = ChatCommandParser.Parse("/restore summary:7");

        Assert.Equal(ChatCommandKind.Restore, command.Kind);
        Assert.Equal(7L, command.SummaryId);
        Assert.Null(command.MessageIds);
    }

    [Theory]
    [InlineData("/restore")]
    [InlineData("/restore twelve")]
    [InlineData("/restore summary:x")]
    [InlineData("/restore -3")]
    [InlineData("/forget")]
    [InlineData("/forget 3")]
    [InlineData("/forget thing:3")]
    [InlineData("/switch")]
    [InlineData("/history ten")]
    [InlineData("/history 0")]
    [InlineData("/sessions all")]
    [InlineData("/remember")]
    [InlineData("/frobnicate")]
    public void Parse_BadCommand_IsInvalidWithAMessage(string line)
    {
        var command = ChatCommandParser.Parse(line);

        Assert.Equal(ChatCommandKind.Invalid, command.Kind);
        Assert.False(string.IsNullOrWhiteSpace(command.Error));
    }

    [Theory]
    [InlineData("fact:3", "fact", 3)]
    [InlineData("memory:12", "memory", 12)]
    [InlineData("Knowledge: 5", "fact", 5)]
    public void TryParseEntryId_ValidId_ReturnsKindAndNumber(string id, string kind, long number)
    {
        Assert.True(ChatCommandParser.TryParseEntryId(id, out var parsedKind, out var parsedNumber));
        Assert.Equal(kind, parsedKind);
        Assert.Equal(number, parsedNumber);
    }

    [Fact]
    public void Parse_HistoryWithCount_KeepsTheCount()
        => Assert.Equal("5", ChatCommandParser.Parse("/history 5").Argument);
}
