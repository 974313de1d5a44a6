namespace LongMemory.Kernel.Qdrant.Tests;

public sealed class QdrantMemoryIndexOptionsTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new QdrantMemoryIndexOptions();

        options.Validate();

        Assert.Equal("longmemory_logs", options.CollectionName(MemoryCollections.Logs));
        Assert.Equal("longmemory_model_memory", options.CollectionName(MemoryCollections.ModelMemory));
        Assert.Equal(6334, options.Endpoint.Port);
    }

    public static TheoryData<string, Action<QdrantMemoryIndexOptions>> InvalidOptions => new()
    {
        { "Endpoint", o => o.Endpoint = new Uri("ftp://example.org") },
        { "Endpoint", o => o.Endpoint = new Uri("http://localhost:6334/qdrant/") },
        { "ApiKey", o => o.ApiKey = " " },
        { "CollectionPrefix", o => o.CollectionPrefix = "has space" },
        { "VectorSize", o => o.VectorSize = 0 },
        { "Distance", o => o.Distance = "Euclid" },
        { "Bm25B", o => o.Bm25B = 1.5 },
        { "BatchSize", o => o.BatchSize = 0 },
        { "MaxRetries", o => o.MaxRetries = -1 },
        { "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.FromMinutes(5) },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.Zero },
        { "RequestTimeout", o => o.RequestTimeout = TimeSpan.FromMilliseconds(1) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidSetting_ThrowsNamingIt(string name, Action<QdrantMemoryIndexOptions> breakIt)
    {
        var options = new QdrantMemoryIndexOptions();
        breakIt(options);

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentException>(() => new QdrantMemoryIndex(new QdrantMemoryIndexOptions { BatchSize = 0 }));
    }

    [Fact]
    public void Constructor_OptionsAtTheirLimits_BuildTheRetryAndTimeoutPipeline()
    {
        var lowest = new QdrantMemoryIndexOptions { MaxRetries = 0, RetryBaseDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromMilliseconds(10) };
        var highest = new QdrantMemoryIndexOptions { MaxRetries = 10, RetryBaseDelay = TimeSpan.FromMinutes(10), MaxRetryDelay = TimeSpan.FromMinutes(10), RequestTimeout = TimeSpan.FromMinutes(30) };

        Assert.Null(Record.Exception(() => new QdrantMemoryIndex(lowest).Dispose()));
        Assert.Null(Record.Exception(() => new QdrantMemoryIndex(highest).Dispose()));
    }
}
