using System.Text.Json.Nodes;
using LongMemory.ChatHost.Chat;
using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Rendering;
using LongMemory.Kernel.Ollama.Tests.Fakes;
using Spectre.Console;

namespace LongMemory.ChatHost.Tests.Chat;

/// <summary>The host's online path end to end: probe, OllamaSharp, num_ctx, memory and the memory tools, against the fake Ollama.</summary>
public sealed class ChatAppTests
{
    [Fact(Timeout = 60_000)]
    public async Task RunAsync_OnlineWithAToolCall_AnswersRunsTheToolAndSendsTheBudgetOnEveryCall()
    {
        await using var server = new FakeOllamaServer();
        server.Respond = request => HasToolResult(request)
            ? [new(Content: "You live in Lisbon.")]
            : [new(ToolName: "ListKnowledge", ToolArgumentsJson: "{}")];
        using var db = new TempDatabase();
        var output = new StringWriter();
        var ui = new ConsoleUi(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }), interactive: false);
        var args = HostArguments.Parse(["--ollama", server.Endpoint.AbsoluteUri, "--model", "llama3.2", "--db", db.Path, "--user", "dana", "--context", "4096"]);

        int exit;
        await using (var app = await ChatApp.StartAsync(ui, args, new StringReader("Where do I live?\n/quit\n")))
        {
            exit = await app.RunAsync();
        }

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("You live in Lisbon.", text, StringComparison.Ordinal);
        Assert.Contains("tool ListKnowledge", text, StringComparison.Ordinal);
        var chats = server.RequestsTo("/api/chat");
        Assert.Equal(2, chats.Count);
        Assert.All(chats, c => Assert.Equal(4096, c.Json.GetProperty("options").GetProperty("num_ctx").GetInt32()));
    }

    private static bool HasToolResult(JsonObject request)
        => request["messages"]!.AsArray().Any(m => (string?)m!["role"] == "tool");
}
