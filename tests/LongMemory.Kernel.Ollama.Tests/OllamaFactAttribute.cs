namespace LongMemory.Kernel.Ollama.Tests;

/// <summary>A fact that runs against a real Ollama server, and is skipped with a printed reason when none is configured.</summary>
public sealed class OllamaFactAttribute : FactAttribute
{
    public const string UrlVariable = "LONGMEMORY_OLLAMA_URL";

    public OllamaFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(UrlVariable)))
        {
            Skip = $"{UrlVariable} is not set: set it to a running Ollama server (for example http://localhost:11434) to run this test; " +
                   "LONGMEMORY_OLLAMA_MODEL (default llama3.2) and LONGMEMORY_OLLAMA_EMBED_MODEL (default all-minilm) pick the models.";
        }
    }

    public static Uri Url => new(Environment.GetEnvironmentVariable(UrlVariable)!);

    public static string ChatModel => Environment.GetEnvironmentVariable("LONGMEMORY_OLLAMA_MODEL") is { Length: > 0 } m ? m : "llama3.2";

    public static string EmbedModel => Environment.GetEnvironmentVariable("LONGMEMORY_OLLAMA_EMBED_MODEL") is { Length: > 0 } m ? m : "all-minilm";
}
