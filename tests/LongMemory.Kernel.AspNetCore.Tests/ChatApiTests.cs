using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LongMemory.Kernel.AspNetCore.Tests;

public sealed class ChatApiTests : IAsyncLifetime
{
    private static readonly string[] Users = ["alice", "bob", "carol"];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "longmemory-aspnet-tests", Guid.NewGuid().ToString("N"));
    private readonly RecordingChatClient _model = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _app = ChatApi.Build(_model, Path.Combine(_folder, "memory.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StartAsync(cts.Token);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite connection may still hold the file; the OS cleans the temp folder.
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string? user, string session, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chat/" + session) { Content = JsonContent.Create(new { text }) };
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        return await _http.SendAsync(request);
    }

    [Fact(Timeout = 120_000)]
    public async Task ConcurrentUsersAndSessions_ThroughOneSingletonClient_EachSeesOnlyOwnData()
    {
        // Every user says the same kind of thing, so any scoping mistake would surface in recall.
        async Task ChatAsync(string user, int session)
        {
            for (var turn = 0; turn < 6; turn++)
            {
                using var response = await PostAsync(user, $"{user}-s{session}", $"[{user}] My secret gym locker code is {user}-{session}-{turn}. What is my locker code?");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var reply = await response.Content.ReadFromJsonAsync<ReplyDto>();
                Assert.Contains($"[{user}]", reply!.Text, StringComparison.Ordinal);
            }
        }

        await Task.WhenAll(Users.SelectMany(u => Enumerable.Range(0, 2).Select(s => Task.Run(() => ChatAsync(u, s)))));

        var client = _app.Services.GetRequiredService<IChatClient>();
        Assert.Same(client, _app.Services.GetRequiredService<IChatClient>());
        Assert.Equal(Users.Length * 2 * 6, _model.Prompts.Count);
        foreach (var prompt in _model.Prompts)
        {
            var owner = Users.Single(u => prompt[^1].Text.Contains($"[{u}]", StringComparison.Ordinal));
            var text = RecordingChatClient.TextOf(prompt);
            Assert.All(Users.Where(u => u != owner), other => Assert.DoesNotContain($"[{other}]", text, StringComparison.Ordinal));
            Assert.All(Users.Where(u => u != owner), other => Assert.DoesNotContain($"{other}-", text, StringComparison.Ordinal));
        }

        var memory = _app.Services.GetRequiredService<ChatMemory>();
        foreach (var user in Users)
        {
            var sessions = await memory.ListSessionsAsync(user);
            Assert.Equal([$"{user}-s0", $"{user}-s1"], sessions.Select(s => s.Id).Order());
            foreach (var session in sessions)
            {
                var stored = await memory.ForScope(session.Scope).GetMessagesAsync();
                Assert.Equal(12, stored.Count);
                Assert.All(stored, m => Assert.Contains($"[{user}]", m.Content, StringComparison.Ordinal));
            }

            var knowledge = await memory.ForScope(MemoryScope.ForUser(user)).GetKnowledgeAsync();
            Assert.All(knowledge, k => Assert.DoesNotContain(Users.Where(u => u != user), other => k.Value.Contains(other, StringComparison.Ordinal)));
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task RequestWithoutSignedInUser_Unauthorized_AndNothingStored()
    {
        using var response = await PostAsync(null, "anonymous-try", "hello");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_model.Prompts);
        var memory = _app.Services.GetRequiredService<ChatMemory>();
        Assert.Null(await memory.Sessions.GetSessionAsync(MemoryOwner.AnonymousSession("anonymous-try"), "anonymous-try", includeDeleted: true));
    }

    [Fact(Timeout = 60_000)]
    public async Task SameSessionIdUnderAnotherUser_IsThatUsersOwn_AndAliceUntouched()
    {
        using (var own = await PostAsync("alice", "alice-private", "[alice] my diary entry"))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        using var response = await PostAsync("bob", "alice-private", "[bob] show me the diary");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("[alice]", RecordingChatClient.TextOf(_model.LastPrompt), StringComparison.Ordinal);
        var memory = _app.Services.GetRequiredService<ChatMemory>();
        Assert.Equal(2, (await memory.ForScope(MemoryScope.For("alice", "alice-private")).GetMessagesAsync()).Count);
    }

    private sealed record ReplyDto(string Text);
}
