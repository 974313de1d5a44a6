using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Memory;

/// <summary>Builds a ChatMemory on a real SQLite file for tests.</summary>
internal sealed class TestMemory : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "longmemory-tests", Guid.NewGuid().ToString("N"));

    public TestMemory(Action<ChatMemoryOptions>? configure = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, Action<ChatMemoryBuilder>? build = null)
    {
        Directory.CreateDirectory(_folder);
        DatabasePath = Path.Combine(_folder, "memory.db");
        Configure = configure;
        Embedder = embedder;
        Build = build;
        Memory = Open();
    }

    public string DatabasePath { get; }

    public ChatMemory Memory { get; private set; }

    private Action<ChatMemoryOptions>? Configure { get; }

    private IEmbeddingGenerator<string, Embedding<float>>? Embedder { get; }

    private Action<ChatMemoryBuilder>? Build { get; }

    /// <summary>Disposes the memory and opens a new one on the same file, as an app restart would.</summary>
    public async Task<ChatMemory> RestartAsync()
    {
        await Memory.DisposeAsync();
        Memory = Open();
        return Memory;
    }

    public async ValueTask DisposeAsync()
    {
        await Memory.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ChatMemory Open()
    {
        var builder = new ChatMemoryBuilder().UseSqlite(DatabasePath);
        if (Embedder is not null)
        {
            builder.UseEmbeddingGenerator(Embedder);
        }

        if (Configure is not null)
        {
            builder.Configure(Configure);
        }

        Build?.Invoke(builder);
        return builder.Build();
    }
}
