namespace LongMemory.Kernel.Ollama.Tests;

public sealed class OllamaClientOptionsTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:11434/")]
    [InlineData("", "http://127.0.0.1:11434/")]
    [InlineData("0.0.0.0", "http://127.0.0.1:11434/")]
    [InlineData("0.0.0.0:11435", "http://127.0.0.1:11435/")]
    [InlineData(":11500", "http://127.0.0.1:11500/")]
    [InlineData("gpu-box", "http://gpu-box:11434/")]
    [InlineData("gpu-box:8080", "http://gpu-box:8080/")]
    [InlineData("http://gpu-box", "http://gpu-box/")]
    [InlineData("https://gpu-box", "https://gpu-box/")]
    [InlineData("https://gpu-box:8443/ollama", "https://gpu-box:8443/ollama/")]
    [InlineData("[::1]:11434", "http://[::1]:11434/")]
    [InlineData("::1", "http://[::1]:11434/")]
    [InlineData("gpu-box:notaport", "http://gpu-box:11434/")]
    [InlineData("ollama.com", "https://ollama.com/")]
    public void ParseOllamaHost_OllamaFormats_GivesReachableUrl(string? value, string expected)
    {
        Assert.Equal(expected, OllamaClientOptions.ParseOllamaHost(value).AbsoluteUri);
    }

    [Fact]
    public void Defaults_AreLocalServerAndDocumentedValues()
    {
        var options = new OllamaClientOptions();

        Assert.Equal(new Uri("http://localhost:11434/"), options.Endpoint);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Timeout);
        Assert.Null(options.ContextLength);
        options.Validate();
    }

    [Theory]
    [InlineData(nameof(OllamaClientOptions.EmbeddingModel))]
    [InlineData(nameof(OllamaClientOptions.Timeout))]
    [InlineData(nameof(OllamaClientOptions.ContextLength))]
    [InlineData(nameof(OllamaClientOptions.ChatModel))]
    [InlineData(nameof(OllamaClientOptions.Endpoint))]
    public void Validate_BadValue_ThrowsNamingTheProperty(string property)
    {
        var options = new OllamaClientOptions();
        switch (property)
        {
            case nameof(OllamaClientOptions.EmbeddingModel): options.EmbeddingModel = ""; break;
            case nameof(OllamaClientOptions.Timeout): options.Timeout = TimeSpan.Zero; break;
            case nameof(OllamaClientOptions.ContextLength): options.ContextLength = 0; break;
            case nameof(OllamaClientOptions.ChatModel): options.ChatModel = " "; break;
            default: options.Endpoint = new Uri("relative", UriKind.Relative); break;
        }

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("OllamaClientOptions." + property, ex.Message, StringComparison.Ordinal);
    }
}
