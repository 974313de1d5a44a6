// Agent Framework + LongMemory: a ChatClientAgent with durable, reduced history and recalled memory.
// Runs offline with a scripted model (clearly labelled) or with Ollama when OLLAMA_HOST / LONGMEMORY_OLLAMA_URL answers.
using LongMemory.Kernel;
using LongMemory.Kernel.AgentFramework;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using OllamaSharp;

var model = await AgentFrameworkSample.ConnectAsync(Console.Out);
await AgentFrameworkSample.RunAsync(model, Console.Out);

/// <summary>The sample's logic, callable from the smoke test.</summary>
public static class AgentFrameworkSample
{
    public static async Task RunAsync(IChatClient model, TextWriter output, CancellationToken cancellationToken = default)
    {
        await using var memory = new ChatMemoryBuilder().UseInMemoryDatabase().Build();
        var options = new LongMemoryAgentOptions { UserId = "alice" };
        AIAgent NewAgent() => model.AsAIAgent(new ChatClientAgentOptions
        {
            ChatOptions = new ChatOptions { Instructions = "You are a helpful assistant." },
            ChatHistoryProvider = new LongMemoryChatHistoryProvider(memory, options), // durable, reduced history
            AIContextProviders = [new LongMemoryContextProvider(memory, options)],    // recall + memory tools
        });

        // Monday: one conversation; its session is serialized as an app would between requests.
        var agent = NewAgent();
        var monday = await agent.CreateSessionAsync(cancellationToken);
        await TurnAsync(agent, monday, "Please remember that my daughter's school is Escola Azul.");
        var saved = await agent.SerializeSessionAsync(monday, cancellationToken: cancellationToken);

        // Friday: a new agent, a new conversation of the same user: the fact comes back from memory.
        var friday = NewAgent();
        await TurnAsync(friday, await friday.CreateSessionAsync(cancellationToken), "Which school does my daughter go to?");

        // Monday's conversation resumes from its serialized session.
        await TurnAsync(friday, await friday.DeserializeSessionAsync(saved, cancellationToken: cancellationToken), "What did I ask you to remember?");

        async Task TurnAsync(AIAgent a, AgentSession s, string text)
        {
            var response = await a.RunAsync(text, s, cancellationToken: cancellationToken);
            await output.WriteLineAsync($"user: {text}\nassistant: {response.Text}");
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

/// <summary>A stand-in model for running without a server: it answers from what its prompt holds about the school.</summary>
public sealed class OfflineScriptedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages.ToList();
        var lines = prompt.Take(prompt.Count - 1).Select(m => m.Text).Append(options?.Instructions ?? string.Empty).SelectMany(t => t.Split('\n'));
        var recalled = lines.FirstOrDefault(l => l.Contains("Escola", StringComparison.Ordinal));
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
