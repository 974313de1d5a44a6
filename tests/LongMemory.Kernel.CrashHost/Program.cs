using LongMemory.Kernel;
using Microsoft.Extensions.AI;

// A child process for the durability tests. Every line on stdout is flushed at once so the parent can wait on it.
//   open <db>                          prints "ready", waits for a line on stdin, opens (creates) the database, prints "ok <schema version>"
//   ingest <db> <user> <session> <first> <n>  appends messages m<first>.. one by one (ChatMessage.MessageId set), printing
//                                      "ack <messageId>" after each call returns; a restart resends from the first unacknowledged one
//   reduce <db> <user> <session> <n>   prints "ready", waits for a line on stdin, runs n compaction rounds, printing "reduced <summaries>"
// Exit code 0 on success, 2 on a failure (the error on stderr), 64 on bad arguments.
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
if (args.Length < 2)
{
    await Console.Error.WriteLineAsync("usage: open|ingest|reduce <db> [user session count]");
    return 64;
}

var mode = args[0];
var path = args[1];
try
{
    switch (mode)
    {
        case "open":
        {
            await output.WriteLineAsync("ready");
            await Console.In.ReadLineAsync();
            await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();
            await memory.StartAsync();
            await memory.GetOrCreateSessionAsync(new MemoryScope("opener", "s-" + Environment.ProcessId));
            await output.WriteLineAsync("ok " + SqliteMemoryDatabase.SchemaVersion);
            return 0;
        }

        case "ingest":
        {
            var scope = new MemoryScope(args[2], args[3]);
            var first = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
            var count = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
            await using var memory = new ChatMemoryBuilder().UseSqlite(path).Build();
            await memory.GetOrCreateSessionAsync(scope);
            var scoped = memory.ForScope(scope);
            await output.WriteLineAsync("ready");
            for (var i = first; i < first + count; i++)
            {
                var id = "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var role = i % 2 == 0 ? ChatRole.User : ChatRole.Assistant;
                await scoped.AddMessagesAsync([new ChatMessage(role, $"Message {i}: the quick brown fox number {i} jumps over the lazy dog.") { MessageId = id }]);
                await output.WriteLineAsync("ack " + id);
            }

            await output.WriteLineAsync("done");
            return 0;
        }

        case "reduce":
        {
            var scope = new MemoryScope(args[2], args[3]);
            var rounds = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
            await using var memory = new ChatMemoryBuilder().UseSqlite(path).Configure(o =>
            {
                o.Reduction.MaxLiveMessages = 8;
                o.Reduction.BlockSize = 4;
                o.Reduction.FanIn = 2;
            }).Build();
            await memory.StartAsync();
            await output.WriteLineAsync("ready");
            await Console.In.ReadLineAsync();
            for (var i = 0; i < rounds; i++)
            {
                var result = await memory.ForScope(scope).SummarizeOldestAsync(4);
                await output.WriteLineAsync("reduced " + result.SummariesCreated);
            }

            await output.WriteLineAsync("done");
            return 0;
        }

        default:
            await Console.Error.WriteLineAsync("unknown mode " + mode);
            return 64;
    }
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync(ex.ToString());
    return 2;
}
