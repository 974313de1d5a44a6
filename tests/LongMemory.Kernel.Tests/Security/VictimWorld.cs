using System.Globalization;
using System.Text;
using System.Text.Json;
using LongMemory.Kernel.Tests.Memory;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>
/// One memory file holding a victim's data in every store (a user session with messages, a summary and trimmed
/// messages, a second session, knowledge, model memory, and an anonymous session), the secrets to look for in an
/// attacker's results, and a snapshot of everything the victim owns to prove an attack changed nothing.
/// </summary>
/// <remarks>
/// Attacks go through the public API only (<see cref="ChatMemory.ForScope"/>, the chat client, the tools). The snapshot
/// alone reads the internal stores, because it must also see what the public path hides (soft-deleted sessions,
/// index rows); when the store SPI changes, only <see cref="SnapshotAsync"/> needs adapting.
/// </remarks>
internal sealed class VictimWorld : IAsyncDisposable
{
    public const string VictimUser = "victim";
    public const string VictimSession = "v-main";
    public const string VictimOtherSession = "v-travel";
    public const string VictimAnonSession = "anon-7f3a";

    /// <summary>The secret every victim store holds; an attacker's result containing it is a leak.</summary>
    public const string Pin = "4321";

    /// <summary>A rare word in the victim's data, so the keyword search of an attack query finds the victim's rows if it may.</summary>
    public const string Marker = "zanzibarquill";

    public const string Query = "bank PIN zanzibarquill";

    /// <summary>A question for assembled prompts: about the secret, without holding it or the marker.</summary>
    public const string PromptQuestion = "What is my bank PIN and my codeword?";

    private VictimWorld(TestMemory test) => Test = test;

    public TestMemory Test { get; }

    public ChatMemory Memory => Test.Memory;

    public long FactId { get; private set; }

    public long ModelMemoryId { get; private set; }

    public long SummaryId { get; private set; }

    public IReadOnlyList<long> TrimmedMessageIds { get; private set; } = [];

    public long AnonFactId { get; private set; }

    public long AnonModelMemoryId { get; private set; }

    public static MemoryScope VictimScope => MemoryScope.For(VictimUser, VictimSession);

    public static MemoryScope AnonScope => MemoryScope.ForSession(VictimAnonSession);

    public static async Task<VictimWorld> CreateAsync(Action<ChatMemoryOptions>? configure = null)
    {
        var world = new VictimWorld(new TestMemory(configure));
        await world.SeedAsync();
        return world;
    }

    /// <summary>Asserts that no text of the results holds the victim's secret or marker.</summary>
    public static void AssertNoVictimText(string what, string text)
    {
        Assert.False(text.Contains(Pin, StringComparison.Ordinal), $"{what} leaked the victim's PIN: {text}");
        Assert.False(text.Contains(Marker, StringComparison.OrdinalIgnoreCase), $"{what} leaked the victim's marker word: {text}");
    }

    public static string TextOf(IEnumerable<RecallHit> hits)
        => string.Join("\n", hits.Select(h => h.Text + " | " + string.Join(" ", h.Neighbors.Select(n => n.Content)) + " | " + h.Item.Text));

    public static string TextOf(IEnumerable<ChatMessage> prompt) => string.Join("\n", prompt.Select(m => m.Text));

    /// <summary>Asserts the victim's own scope still finds its data for the attack query (the positive control).</summary>
    public async Task AssertVictimStillRecallsAsync()
    {
        var own = await Memory.ForScope(VictimScope).RecallAsync(Query, new RecallOptions { Collections = [MemoryCollections.Logs, MemoryCollections.Knowledge, MemoryCollections.ModelMemory] });
        Assert.Contains(own, h => h.Text.Contains(Pin, StringComparison.Ordinal));
        var anon = await Memory.ForScope(AnonScope).RecallAsync(Query);
        Assert.Contains(anon, h => h.Text.Contains(Pin, StringComparison.Ordinal));
    }

    /// <summary>Everything the victim owns, as one comparable string.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        var user = MemoryOwner.User(VictimUser);
        var anon = MemoryOwner.AnonymousSession(VictimAnonSession);
        foreach (var (owner, sessionId) in new[] { (user, VictimSession), (user, VictimOtherSession), (anon, VictimAnonSession) })
        {
            var session = await Memory.Sessions.GetSessionAsync(owner, sessionId, includeDeleted: true);
            text.Append(CultureInfo.InvariantCulture, $"session {owner.Key}/{sessionId}: {session?.Title} active={session?.IsActive} count={session?.MessageCount}\n");
            foreach (var m in await Memory.Messages.GetMessagesAsync(owner, sessionId, null))
            {
                text.Append(CultureInfo.InvariantCulture, $"  m{m.Id} {m.Role} trimmed={m.IsTrimmed} {m.Content}\n");
            }

            foreach (var s in await Memory.Summaries.GetSummariesAsync(owner, sessionId, activeOnly: false))
            {
                text.Append(CultureInfo.InvariantCulture, $"  s{s.Id} L{s.Level} {s.FirstMessageId}-{s.LastMessageId} active={s.IsActive} {s.Content}\n");
            }
        }

        foreach (var scope in new[] { MemoryScope.ForUser(VictimUser), AnonScope })
        {
            var memory = Memory.ForScope(scope);
            foreach (var fact in await memory.GetKnowledgeAsync())
            {
                text.Append(CultureInfo.InvariantCulture, $"fact {scope.Owner.Key} {fact.Id} {fact.Key}={fact.Value} current={fact.IsCurrent}\n");
                foreach (var old in await memory.GetKnowledgeHistoryAsync(fact.Key))
                {
                    text.Append(CultureInfo.InvariantCulture, $"  history {old.Id} {old.Value} to={old.ValidTo:O}\n");
                }
            }

            foreach (var note in await memory.GetModelMemoryAsync())
            {
                text.Append(CultureInfo.InvariantCulture, $"note {scope.Owner.Key} {note.Id} {note.Content} deleted={note.DeletedAt:O}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"index items {scope.Owner.Key}: {await Memory.Index.CountAsync(new MemoryFilter(scope.Owner.Key))}\n");
            text.Append(CultureInfo.InvariantCulture, $"outbox {scope.Owner.Key}: {await Memory.Outbox.GetIndexStatusAsync(scope.Owner, null)}\n");
        }

        return text.ToString();
    }

    /// <summary>Invokes a tool by name with raw JSON arguments, as a model's function call would.</summary>
    public static async Task<string> InvokeToolAsync(IReadOnlyList<AIFunction> tools, string name, string argumentsJson)
    {
        var tool = tools.Single(t => t.Name == name);
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!;
        var result = await tool.InvokeAsync(new AIFunctionArguments(arguments));
        return JsonSerializer.Serialize(result); // compact, whatever the tool's own formatting
    }

    public ValueTask DisposeAsync() => Test.DisposeAsync();

    private async Task SeedAsync()
    {
        await Memory.CreateSessionAsync(VictimUser, "Banking and secrets", VictimSession);
        var main = Memory.ForScope(VictimScope);
        var early = await main.AddMessagesAsync(
        [
            new ChatMessage(ChatRole.User, $"Remember this: my bank PIN is {Pin} and my codeword is {Marker}."),
            new ChatMessage(ChatRole.Assistant, $"Noted, your PIN {Pin} and the word {Marker} are safe with me."),
            new ChatMessage(ChatRole.User, "I live in Lisbon and I work as a nurse at the central hospital."),
            new ChatMessage(ChatRole.Assistant, "Lisbon is lovely; nursing is demanding work."),
        ]);
        await main.AddMessagesAsync(
        [
            new ChatMessage(ChatRole.User, "Let us talk about gardening and tomatoes this spring."),
            new ChatMessage(ChatRole.Assistant, "Tomatoes like sun and regular watering."),
        ]);
        for (var turn = 1; turn <= 4; turn++)
        {
            // Recent turns the reducer keeps verbatim, so the oldest (secret-holding) turns can be summarized.
            await main.AddMessagesAsync(
            [
                new ChatMessage(ChatRole.User, $"Filler question number {turn} about the weather."),
                new ChatMessage(ChatRole.Assistant, $"Filler answer number {turn}: mild and cloudy."),
            ]);
        }

        var reduction = await main.SummarizeOldestAsync(4);
        Assert.True(reduction.SummariesCreated > 0, "seed: the victim needs a summary");
        var summaries = await main.GetSummariesAsync();
        SummaryId = summaries[0].Id;
        TrimmedMessageIds = (await main.GetMessagesAsync()).Where(m => m.IsTrimmed).Select(m => m.Id).ToList();
        Assert.NotEmpty(TrimmedMessageIds);
        Assert.Contains(early[0].Id, TrimmedMessageIds);

        FactId = (await main.RememberFactAsync("bank_pin", $"{Pin} ({Marker})")).Id;
        ModelMemoryId = (await main.SaveModelMemoryAsync($"The user's bank PIN is {Pin}, codeword {Marker}.", "secret", 0.9, "app")).Id;

        await Memory.CreateSessionAsync(VictimUser, $"Trip planning {Marker}", VictimOtherSession);
        await Memory.ForScope(MemoryScope.For(VictimUser, VictimOtherSession)).AddMessagesAsync(
            [new ChatMessage(ChatRole.User, $"For the trip, the safe code is also my bank PIN {Pin}, {Marker}.")]);

        await Memory.CreateSessionAsync(null, $"Anonymous {Marker}", VictimAnonSession);
        var anon = Memory.ForScope(AnonScope);
        await anon.AddMessagesAsync([new ChatMessage(ChatRole.User, $"Anonymous here: my bank PIN is {Pin}, codeword {Marker}.")]);
        AnonFactId = (await anon.RememberFactAsync("bank_pin", $"{Pin} ({Marker})")).Id;
        AnonModelMemoryId = (await anon.SaveModelMemoryAsync($"Anonymous visitor's bank PIN is {Pin}, {Marker}.", "secret", 0.9, "app")).Id;
        await Memory.WhenIdleAsync();
    }
}
