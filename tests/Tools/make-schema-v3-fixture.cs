#:project ../../src/LongMemory.Kernel/LongMemory.Kernel.csproj
#:property TargetFramework=net10.0
#:property PublishAot=false
// Creates tests/LongMemory.Kernel.Tests/Storage/Fixtures/schema-v3.db with the release before the owner redesign
// (commit fbefa64, schema version 3). Kept for the record: it only compiles against that commit's API.
using LongMemory.Kernel;
using Microsoft.Extensions.AI;

var path = args[0];
File.Delete(path);
await using (var memory = new ChatMemoryBuilder().UseSqlite(path, SqliteDurability.Full).Build())
{
    var alice = await memory.CreateSessionAsync("alice", "Trip planning", "a1");
    for (var i = 0; i < 12; i++)
    {
        await memory.AddMessagesAsync(alice.Scope, [new ChatMessage(ChatRole.User, $"Turn {i}: I live in Lisbon and plan trip number {i}."), new ChatMessage(ChatRole.Assistant, $"Noted trip {i}.")]);
    }
    await memory.SummarizeOldestAsync(alice.Scope, 10);
    await memory.RememberFactAsync(alice.Scope, "favorite_food", "bacalhau");
    await memory.SaveModelMemoryAsync(alice.Scope, "Alice prefers window seats.");

    var anon = await memory.CreateSessionAsync(null, "Anonymous", "anon1");
    await memory.AddMessagesAsync(anon.Scope, [new ChatMessage(ChatRole.User, "My bank PIN is 4321.")]);
    await memory.RememberFactAsync(anon.Scope, "bank_pin", "4321");
    await memory.SaveModelMemoryAsync(anon.Scope, "The visitor's bank PIN is 4321.");

    // The collision of the old owner keys: a user whose id is "session:anon1".
    var evil = await memory.CreateSessionAsync("session:anon1", "Mallory", "evil");
    await memory.AddMessagesAsync(evil.Scope, [new ChatMessage(ChatRole.User, "I live on Mars.")]);
    await memory.RememberFactAsync(evil.Scope, "planet", "Mars");
    await memory.SaveModelMemoryAsync(evil.Scope, "Mallory collects red rocks.");
}
Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
Console.WriteLine("wrote " + path);
