// Semantic Kernel + LongMemory: a kernel whose chat service remembers, with the memory plugin bound per session.
// Runs offline with a scripted model (clearly labelled) or with Ollama when OLLAMA_HOST / LONGMEMORY_OLLAMA_URL answers.
using LongMemory.Kernel;
using LongMemory.Kernel.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using OllamaSharp;

var model = await SemanticKernelSample.ConnectAsync(Console.Out);
await SemanticKernelSample.RunAsync(model, Console.Out);

/// <summary>The sample's logic, callable from the smoke test.</summary>
public static class SemanticKernelSample
{
    public static async Task RunAsync(IChatClient model, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using var memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();

        // An existing SK app: the model is registered; the one added line gives its chat service memory.
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(model.AsChatCompletionService());
        builder.AddLongMemory(memory);
        var kernel = builder.Build();

        // Two sessions of one user: the fact told in the first is recalled in the second.
        foreach (var (session, text) in new[] { ("monday", "Please remember that my daughter's school is Escola Azul."), ("friday", "Which school does my daughter go to?") })
        {
            var perRequest = kernel.Clone();
            perRequest.Plugins.AddLongMemory(memory, MemoryScope.For("alice", session));
            var settings = LongMemoryExecutionSettings.For("alice", session, new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() });
            var answer = await perRequest.InvokePromptAsync(text, new KernelArguments(settings), cancellationToken: cancellationToken);
            await output.WriteLineAsync($"[{session}] user: {text}\n[{session}] assistant: {answer}");
        }
    }

    /// <summary>Ollama when it answers at OLLAMA_HOST or LONGMEMORY_OLLAMA_URL, otherwise the offline scripted model.</summary>
    public static async Task<IChatClient> ConnectAsync(TextWriter output)
    {
        var url = Environment.GetEnvironmentVariable("LONGMEMORY_OLLAMA_URL") ?? Environment.GetEnvironmentVariable("OLLAMA_HOST");
        if (!string.IsNullOrWhiteSpace(url))
        {
            var uri = new Uri(url.Contains("://", StringComparison.Ordinal) ? url : "http://" + url);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                (await http.GetAsync(new Uri(uri, "/api/tags"))).EnsureSuccessStatusCode();
                var name = Environment.GetEnvironmentVariable("LONGMEMORY_OLLAMA_MODEL") ?? "llama3.2";
                await output.WriteLineAsync($"Model: Ollama {name} at {uri}");
                return new OllamaApiClient(uri, name);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await output.WriteLineAsync($"Ollama at {uri} does not answer ({ex.GetType().Name}); using the offline scripted model.");
            }
        }

        await output.WriteLineAsync("Model: OFFLINE SCRIPTED MODEL (no LLM; it quotes what memory put in its prompt).");
        return new OfflineScriptedModel();
    }
}

/// <summary>A stand-in model for running without a server: it answers from the recalled memory it was given.</summary>
public sealed class OfflineScriptedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.ToList();
        var recalled = prompt.Where(m => m.Role == ChatRole.System && m.Text.StartsWith("[Memory:", StringComparison.Ordinal))
            .SelectMany(m => m.Text.Split('\n')).FirstOrDefault(l => l.Contains("Escola", StringComparison.Ordinal));
        var text = recalled is null ? "(offline model) Noted." : "(offline model) From memory: " + recalled.Trim();
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("offline-scripted") : null;

    public void Dispose()
    {
    }
}
