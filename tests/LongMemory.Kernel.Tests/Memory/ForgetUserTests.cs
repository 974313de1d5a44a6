using System.Text;
using Microsoft.Data.Sqlite;
using static LongMemory.Kernel.Tests.Memory.ForgettingTests;

namespace LongMemory.Kernel.Tests.Memory;

public sealed class ForgetUserTests
{
    [Fact(Timeout = 180_000)]
    public async Task ForgetUserAsync_NoByteOfTheUserLeftInDatabaseWalOrFullTextIndex_OtherUserIntact()
    {
        await using var test = new TestMemory();
        var markers = Enumerable.Range(0, 7).Select(_ => "qz" + Guid.NewGuid().ToString("N")[..14]).ToArray();
        var trip = await test.Memory.CreateSessionAsync("alice", title: $"Trip {markers[0]}");
        var hidden = await test.Memory.CreateSessionAsync("alice");
        var bobSession = await test.Memory.CreateSessionAsync("bob", title: "Sailing plans");
        var alice = test.Memory.ForScope(trip.Scope);
        var bob = test.Memory.ForScope(bobSession.Scope);

        await alice.AddMessagesAsync([User($"My codeword is {markers[1]} and I live in {Capitalized(markers[2])}."), Assistant($"Noted, {markers[1]}.")]);
        for (var turn = 0; turn < 12; turn++)
        {
            await alice.AddMessagesAsync([User($"Turn {turn}: remind me about {markers[1]} and the harbour."), Assistant($"Sure, {markers[1]} it is.")]);
            await bob.AddMessagesAsync([User($"Turn {turn}: the fjord wind is strong today."), Assistant("Reef the mainsail early.")]);
        }

        Assert.True((await alice.SummarizeOldestAsync(10)).SummariesCreated > 0);
        var forgottenFirst = await alice.RememberFactAsync("codeword", markers[3]);
        await alice.ForgetKnowledgeAsync(forgottenFirst.Id);
        await alice.RememberFactAsync("locker", markers[3] + "x");
        await alice.SaveModelMemoryAsync($"Alice's locker is {markers[4]}.");
        await alice.ImportDocumentAsync("d1", $"Doc {markers[5]}", $"The vault code is {markers[5]}. Keep it safe.");
        await test.Memory.ForScope(hidden.Scope).AddMessagesAsync([User($"A secret only here: {markers[6]}.")]);
        await test.Memory.DeleteSessionAsync(hidden.Scope);
        await bob.RememberFactAsync("boat", "Skarv");
        await bob.SaveModelMemoryAsync("Bob sails a folkboat called Skarv.");
        var bobBefore = await SnapshotAsync(test, bob);

        Assert.All(markers, m => Assert.True(ContainsAnywhere(test.DatabasePath, m), m));
        var aliceItems = await test.Memory.Index.CountAsync(new MemoryFilter(MemoryOwner.User("alice").Key));

        var receipt = await test.Memory.ForgetUserAsync("alice");

        Assert.Equal("alice", receipt.UserId);
        Assert.Equal(2, receipt.Sessions);
        Assert.Equal(2 + 24 + 1, receipt.Messages);
        Assert.True(receipt.Summaries >= 1);
        Assert.True(receipt.KnowledgeEntries >= 3, $"knowledge {receipt.KnowledgeEntries}");
        Assert.Equal(1, receipt.ModelMemoryEntries);
        Assert.Equal(aliceItems, receipt.IndexItems);

        await CheckpointAsync(test.DatabasePath);
        foreach (var marker in markers)
        {
            Assert.False(ContainsAnywhere(test.DatabasePath, marker), $"'{marker}' is still in the database files.");
        }

        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM memory_fts_vocab WHERE term LIKE 'qz%'"));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM sessions WHERE owner_key = 'user:alice'"));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM memory_items WHERE user_id = 'user:alice'"));
        Assert.Empty(await test.Memory.ListSessionsAsync("alice"));
        Assert.Empty(await test.Memory.ForScope(MemoryScope.ForUser("alice")).GetKnowledgeAsync());
        Assert.Equal(bobBefore, await SnapshotAsync(test, bob));
        Assert.Equal(0, (await test.Memory.ForgetUserAsync("alice")).Messages);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteSessionAsync_HardAnonymous_LeavesNoByteOfIt()
    {
        await using var test = new TestMemory();
        var marker = "qz" + Guid.NewGuid().ToString("N")[..14];
        var anonymous = await test.Memory.CreateSessionAsync(null, title: $"Visit {marker}");
        var memory = test.Memory.ForScope(anonymous.Scope);
        await memory.AddMessagesAsync([User($"My name is {Capitalized(marker)} and I like {marker}."), Assistant("Hello.")]);
        await memory.SaveModelMemoryAsync($"Visitor likes {marker}.");

        await test.Memory.DeleteSessionAsync(anonymous.Scope, hard: true);

        await CheckpointAsync(test.DatabasePath);
        Assert.False(ContainsAnywhere(test.DatabasePath, marker));
        Assert.Equal(0, await CountRowsAsync(test, "SELECT count(*) FROM memory_fts_vocab WHERE term LIKE 'qz%'"));
    }

    private static async Task<string> SnapshotAsync(TestMemory test, ScopedMemory bob)
    {
        var messages = await bob.GetMessagesAsync();
        var knowledge = await bob.GetKnowledgeAsync();
        var notes = await bob.GetModelMemoryAsync();
        var hits = await bob.RecallAsync("fjord wind mainsail");
        var items = await test.Memory.Index.CountAsync(new MemoryFilter(bob.Owner.Key));
        return $"{messages.Count} {string.Join(',', knowledge.Select(k => k.Key + '=' + k.Value))} {notes.Count} {hits.Count} {hits.FirstOrDefault()?.Text} {items} {(await test.Memory.ListSessionsAsync("bob")).Count}";
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static async Task CheckpointAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(0L, reader.GetInt64(0));
    }

    /// <summary>Scans the raw bytes of the database file and its WAL for the text, case-insensitively (ASCII).</summary>
    private static bool ContainsAnywhere(string path, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text.ToLowerInvariant());
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }

            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] is >= (byte)'A' and <= (byte)'Z')
                {
                    bytes[i] = (byte)(bytes[i] + 32);
                }
            }

            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
