using Microsoft.Extensions.DependencyInjection;

namespace LongMemory.Kernel.Qdrant.Tests.DependencyInjection;

public sealed class QdrantServiceCollectionExtensionsTests
{
    [Fact]
    public void AddQdrantMemoryIndex_Resolve_GivesOneSingletonQdrantIndex()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMemoryIndex>(_ => throw new InvalidOperationException("replaced"));
        services.AddQdrantMemoryIndex(o => o.Endpoint = new Uri("http://127.0.0.1:6333"));

        using var provider = services.BuildServiceProvider();

        var index = provider.GetRequiredService<IMemoryIndex>();
        Assert.IsType<QdrantMemoryIndex>(index);
        Assert.Same(index, provider.GetRequiredService<IMemoryIndex>());
        Assert.Same(index, provider.GetRequiredService<QdrantMemoryIndex>());
    }

    [Fact]
    public void AddQdrantMemoryIndex_InvalidOptions_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddQdrantMemoryIndex(o => o.CollectionPrefix = "bad/prefix"));

        Assert.Equal("CollectionPrefix", error.ParamName);
    }

    [Fact]
    public void AddQdrantMemoryIndex_EndpointAndKey_AreValidatedAtRegistration()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddQdrantMemoryIndex(new Uri("http://localhost:6333"), apiKey: "  "));

        Assert.Equal("ApiKey", error.ParamName);
        Assert.NotNull(new ServiceCollection().AddQdrantMemoryIndex(new Uri("http://localhost:6333"), "key", o => o.VectorSize = 384));
    }
}
