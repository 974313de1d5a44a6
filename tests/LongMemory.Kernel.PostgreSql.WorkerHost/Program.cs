using System.Globalization;
using LongMemory.Kernel;
using LongMemory.Kernel.PostgreSql;
using LongMemory.Kernel.PostgreSql.WorkerHost;
using Microsoft.Extensions.AI;

// One app instance on a shared PostgreSQL schema, for the multi-instance tests. Every stdout line is flushed at once.
//   work <connection string> <schema> <user> <sessions> <turns>
//     prints "ready", waits for a line on stdin, then for each turn and each session s0..s<sessions-1> appends the turn's
//     user and assistant messages (ChatMessage.MessageId "t<turn>-u"/"t<turn>-a", so another instance sending the same turn
//     sends the same ids) and reduces the session if needed; indexing is inline. Every outbox entry it claims and
//     completes is printed as "claimed <id> <kind>" / "completed <id> <kind>"; at the end it prints "done".
// Exit code 0 on success, 2 on a failure (the error on stderr), 64 on bad arguments.
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
if (args.Length != 6 || args[0] != "work")
{
    await Console.Error.WriteLineAsync("usage: work <connection string> <schema> <user> <sessions> <turns>");
    return 64;
}

var sessions = int.Parse(args[4], CultureInfo.InvariantCulture);
var turns = int.Parse(args[5], CultureInfo.InvariantCulture);
try
{
    var options = new PostgreSqlMemoryOptions { ConnectionString = args[1], Schema = args[2] };
    var lines = new LineWriter(output);
    await using var memory = new ChatMemoryBuilder()
        .UseStorage(components =>
        {
            // The public storage hook, as an app composing its own stores would use it: PostgreSQL everywhere, with the
            // outbox wrapped to report what this instance claims and completes.
            var database = new PostgreSqlMemoryDatabase(options);
            var store = new PostgreSqlSessionStore(database, components.TimeProvider);
            components.Sessions = store;
            components.Messages = store;
            components.Summaries = store;
            components.Outbox = new ReportingOutbox(store, lines);
            KnowledgeStores.Configure(components, database);
            components.Index = new PostgresMemoryIndex(database);
            return database;
        })
        .Configure(o =>
        {
            o.Reduction.MaxLiveMessages = 8;
            o.Reduction.BlockSize = 4;
            o.Reduction.FanIn = 2;
        })
        .Build();
    await memory.StartAsync();
    var scopes = Enumerable.Range(0, sessions).Select(s => new MemoryScope(args[3], "s" + s.ToString(CultureInfo.InvariantCulture))).ToList();
    foreach (var scope in scopes)
    {
        await memory.GetOrCreateSessionAsync(scope);
    }

    await lines.WriteAsync("ready");
    await Console.In.ReadLineAsync();
    for (var turn = 0; turn < turns; turn++)
    {
        foreach (var scope in scopes)
        {
            var t = turn.ToString(CultureInfo.InvariantCulture);
            var scoped = memory.ForScope(scope);
            await scoped.AddMessagesAsync(
            [
                new ChatMessage(ChatRole.User, $"Turn {t} of {scope.SessionId}: a question about harbour number {t} and its boats.") { MessageId = "t" + t + "-u" },
                new ChatMessage(ChatRole.Assistant, $"Turn {t} of {scope.SessionId}: an answer about harbour number {t} with some detail.") { MessageId = "t" + t + "-a" },
            ]);
            await scoped.ReduceIfNeededAsync();
        }
    }

    await memory.WhenIdleAsync();
    await lines.WriteAsync("done");
    return 0;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync(ex.ToString());
    return 2;
}
