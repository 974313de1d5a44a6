using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SKKernel = Microsoft.SemanticKernel.Kernel;

namespace LongMemory.Kernel.SemanticKernel.Tests;

public sealed class LongMemoryPluginTests : IAsyncDisposable
{
    private readonly ChatMemory _memory = Scripted.NewMemory();

    public ValueTask DisposeAsync() => _memory.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task AddLongMemory_Plugin_HasTheToolsWithModelFacingDescriptionsAndNoIds()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var kernel = new SKKernel();

        var plugin = kernel.Plugins.AddLongMemory(_memory, session.Scope);

        Assert.Equal("memory", plugin.Name);
        Assert.Equal(["SaveToModelMemory", "RetrieveUserInfo", "SearchConversationHistory", "SummarizeOldest", "ForgetMemory", "RestoreTrimmed", "ListKnowledge"], plugin.Select(f => f.Name));
        Assert.All(plugin, f => Assert.True(f.Description.Length > 60, f.Name));
        Assert.All(plugin.SelectMany(f => f.Metadata.Parameters), p => Assert.DoesNotMatch("(?i)^(user|session)(id)?$", p.Name));
        Assert.All(plugin.SelectMany(f => f.Metadata.Parameters), p => Assert.False(string.IsNullOrWhiteSpace(p.Description), p.Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task Plugin_AndAIFunctionTools_GiveTheSameResults()
    {
        var session = await _memory.CreateSessionAsync("alice");
        var kernel = new SKKernel();
        var plugin = kernel.Plugins.AddLongMemory(_memory, session.Scope);
        var tools = _memory.ForScope(session.Scope).CreateTools().ToDictionary(t => t.Name);

        var saved = await kernel.InvokeAsync<string>(plugin["SaveToModelMemory"], new() { ["content"] = "The user is vegetarian.", ["category"] = "food" });
        var fromPlugin = await kernel.InvokeAsync<string>(plugin["RetrieveUserInfo"], new());
        var fromTool = ((JsonElement)(await tools["RetrieveUserInfo"].InvokeAsync(new AIFunctionArguments()))!).GetRawText();
        var badFromPlugin = await kernel.InvokeAsync<string>(plugin["ForgetMemory"], new() { ["id"] = "not-an-id" });
        var badFromTool = ((JsonElement)(await tools["ForgetMemory"].InvokeAsync(new AIFunctionArguments { ["id"] = "not-an-id" }))!).GetRawText();

        Assert.True(saved!.StartsWith("{\"saved\":\"memory:", StringComparison.Ordinal), saved);
        Assert.True(SameJson(fromTool, fromPlugin!), fromPlugin);
        Assert.Contains("vegetarian", fromPlugin, StringComparison.Ordinal);
        Assert.True(SameJson(badFromTool, badFromPlugin!), badFromPlugin);
        Assert.Contains("\"error\"", badFromPlugin, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("ForgetMemory", "{\"id\":\"memory:x\"}", "not a memory id")]
    [InlineData("RetrieveUserInfo", "{\"topK\":500}", "topK must be between")]
    [InlineData("SaveToModelMemory", "{\"content\":\"   \"}", "content")]
    [InlineData("SaveToModelMemory", "{\"content\":\"x\",\"importance\":7}", "importance")]
    [InlineData("RestoreTrimmed", "{}", "Give either messageIds or summaryId")]
    [InlineData("SummarizeOldest", "{\"count\":1}", "count must be between")]
    [InlineData("SummarizeOldest", "{\"count\":\"many\"}", "SummarizeOldest")]
    [InlineData("SearchConversationHistory", "{}", "query")]
    public async Task Plugin_BadArguments_ComeBackAsJsonErrorWithoutStackTrace(string function, string argumentsJson, string expected)
    {
        var session = await _memory.CreateSessionAsync("alice");
        var builder = SKKernel.CreateBuilder();
        builder.Plugins.AddLongMemory(_memory, session.Scope);
        var kernel = builder.Build();
        var arguments = new KernelArguments();
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson)!)
        {
            arguments[name] = value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString();
        }

        var result = (await kernel.InvokeAsync(kernel.Plugins["memory"][function], arguments)).GetValue<object>()?.ToString() ?? string.Empty;

        Assert.Contains("\"error\"", result, StringComparison.Ordinal);
        Assert.Contains(expected, result, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", result, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Plugin_BoundToOneUser_NeverSeesAnotherUsersData()
    {
        var alice = await _memory.CreateSessionAsync("alice");
        var bob = await _memory.CreateSessionAsync("bob");
        await _memory.ForScope(alice.Scope).SaveModelMemoryAsync("Alice's PIN is 4921.");
        var kernel = new SKKernel();
        var bobPlugin = kernel.Plugins.AddLongMemory(_memory, bob.Scope);

        var outputs = new[]
        {
            await kernel.InvokeAsync<string>(bobPlugin["RetrieveUserInfo"], new()),
            await kernel.InvokeAsync<string>(bobPlugin["RetrieveUserInfo"], new() { ["query"] = "PIN" }),
            await kernel.InvokeAsync<string>(bobPlugin["SearchConversationHistory"], new() { ["query"] = "PIN 4921" }),
            await kernel.InvokeAsync<string>(bobPlugin["ListKnowledge"], new()),
        };

        Assert.All(outputs, o => Assert.DoesNotContain("4921", o!, StringComparison.Ordinal));
    }

    private static bool SameJson(string a, string b) => System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(a), System.Text.Json.Nodes.JsonNode.Parse(b));
}
