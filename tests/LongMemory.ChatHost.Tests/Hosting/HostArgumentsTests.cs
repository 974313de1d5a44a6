using LongMemory.ChatHost.Hosting;

namespace LongMemory.ChatHost.Tests.Hosting;

public class HostArgumentsTests
{
    [Fact]
    public void Parse_NoArguments_ChatsAsTheOsUser()
    {
        var args = HostArguments.Parse([]);

        Assert.False(args.Demo);
        Assert.Null(args.DatabasePath);
        Assert.False(string.IsNullOrWhiteSpace(args.User));
    }

    [Fact]
    public void Parse_DemoWithOptions_ReadsThem()
    {
        var args = HostArguments.Parse(["demo", "--db", "/tmp/d.db", "--json", "out.json", "--context", "4096"]);

        Assert.True(args.Demo);
        Assert.Equal("/tmp/d.db", args.DatabasePath);
        Assert.Equal("out.json", args.JsonPath);
        Assert.Equal(4096, args.ContextTokens);
    }

    [Fact]
    public void Parse_OllamaOptions_ReadsThem()
    {
        var args = HostArguments.Parse(["--ollama", "http://gpu:11434", "--model", "llama3.2", "--embed-model", "all-minilm", "--user", "ana"]);

        Assert.Equal("http://gpu:11434", args.OllamaUrl);
        Assert.Equal("llama3.2", args.Model);
        Assert.Equal("all-minilm", args.EmbedModel);
        Assert.Equal("ana", args.User);
    }

    [Fact]
    public void Parse_QdrantOptions_ReadsThem()
    {
        var args = HostArguments.Parse(["--qdrant", "http://qdrant:6333", "--qdrant-key", "secret"]);

        Assert.Equal(new Uri("http://qdrant:6333"), args.QdrantUrl);
        Assert.Equal("secret", args.QdrantApiKey);
    }

    [Fact]
    public void Parse_Postgres_ReadsTheConnectionString()
    {
        var args = HostArguments.Parse(["--postgres", "Host=db;Database=app;Username=app", "--qdrant", "http://qdrant:6333"]);

        Assert.Equal("Host=db;Database=app;Username=app", args.PostgresConnectionString);
        Assert.Equal(new Uri("http://qdrant:6333"), args.QdrantUrl);
        Assert.Null(HostArguments.Parse([]).PostgresConnectionString);
    }

    [Fact]
    public void Parse_PostgresAndDb_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => HostArguments.Parse(["--postgres", "Host=db", "--db", "x.db"]));

        Assert.Contains("--postgres and --db", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--postgres", "no equals sign")]
    [InlineData("--postgres")]
    [InlineData("--qdrant", "not a url")]
    [InlineData("--db")]
    [InlineData("--bogus")]
    [InlineData("--context", "12")]
    [InlineData("--model", "--db", "x")]
    public void Parse_BadArguments_ThrowsWithTheArgumentNamed(params string[] args)
    {
        var ex = Assert.Throws<ArgumentException>(() => HostArguments.Parse(args));

        Assert.Contains(args[0], ex.Message, StringComparison.Ordinal);
    }
}
