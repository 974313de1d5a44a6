using System.Diagnostics;
using System.Globalization;
using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Perf;
using LongMemory.Kernel.Benchmarks.Reporting;
using Microsoft.Extensions.AI;

namespace LongMemory.Kernel.Benchmarks.Middleware;

/// <summary>
/// The <c>middleware</c> command: the overhead of <see cref="LongMemoryChatClient"/> per turn (p50/p95) against a
/// direct call to the same instant fake model, in the default configuration (SQLite file, hashing embedder, inline
/// indexing, o200k_base counting). Each turn sends only the new user message of one session; the direct call sends
/// the same message, so the difference is what the middleware costs (store, recall, reduce, assemble, store answer).
/// </summary>
internal static class MiddlewareBenchmark
{
    public static async Task<int> RunAsync(CommandArguments args)
    {
        var turns = args.Int("turns", 400);
        var warmup = args.Int("warmup", 40);
        var replay = args.Flag("replay");
        args.EnsureAllUsed();
        if (turns < 10 || warmup < 0)
        {
            throw new CommandLineException("--turns must be at least 10 and --warmup at least 0.");
        }

        Console.WriteLine($"middleware: {turns} timed turns after {warmup} warm-up turns{(replay ? ", whole history re-sent each turn" : string.Empty)}; {MachineInfo.Describe()}");
        var folder = Path.Combine(Path.GetTempPath(), "longmemory-middleware-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            var model = new InstantChatClient();
            var chat = new SyntheticChat(11);
            chat.StartSession(0);
            var texts = Enumerable.Range(0, turns + warmup).Select(_ => chat.UserMessage()).ToList();

            var direct = new List<double>();
            var history = new List<ChatMessage>();
            for (var i = 0; i < texts.Count; i++)
            {
                var message = new ChatMessage(ChatRole.User, texts[i]);
                history.Add(message);
                IEnumerable<ChatMessage> prompt = replay ? [.. history] : [message];
                var watch = Stopwatch.StartNew();
                var response = await model.GetResponseAsync(prompt).ConfigureAwait(false);
                watch.Stop();
                history.AddRange(response.Messages);
                if (i >= warmup)
                {
                    direct.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var withMemory = new List<double>();
            await using (var memory = new ChatMemoryBuilder().UseSqlite(Path.Combine(folder, "middleware.db")).Build())
            {
                await memory.StartAsync().ConfigureAwait(false);
                using var client = model.WithLongMemory(memory, new LongMemoryChatClientOptions { UserId = "bench-user" });
                var options = new ChatOptions { ConversationId = "bench-session" };
                history.Clear();
                for (var i = 0; i < texts.Count; i++)
                {
                    var message = new ChatMessage(ChatRole.User, texts[i]);
                    history.Add(message);
                    IEnumerable<ChatMessage> prompt = replay ? [.. history] : [message];
                    var watch = Stopwatch.StartNew();
                    var response = await client.GetResponseAsync(prompt, options).ConfigureAwait(false);
                    watch.Stop();
                    history.AddRange(response.Messages);
                    if (i >= warmup)
                    {
                        withMemory.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
            }

            Print("direct call", direct);
            Print("through LongMemoryChatClient", withMemory);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overhead per turn: p50 {Percentiles.Of(withMemory, 0.5) - Percentiles.Of(direct, 0.5):0.00} ms, p95 {Percentiles.Of(withMemory, 0.95) - Percentiles.Of(direct, 0.95):0.00} ms"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a pooled connection: the temp folder is cleaned by the OS.
            }
        }
    }

    private static void Print(string label, List<double> samples)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-30} p50 {Percentiles.Of(samples, 0.5),8:0.000} ms   p95 {Percentiles.Of(samples, 0.95),8:0.000} ms   mean {samples.Average(),8:0.000} ms"));

    /// <summary>A model that answers at once with a short fixed text, so only the middleware's own work is timed.</summary>
    private sealed class InstantChatClient : IChatClient
    {
        private int _count;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref _count);
            var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
            var answer = new ChatMessage(ChatRole.Assistant, "Noted (" + n.ToString(CultureInfo.InvariantCulture) + "): " + (last.Length > 60 ? last[..60] : last));
            return Task.FromResult(new ChatResponse(answer) { ResponseId = "r" + n.ToString(CultureInfo.InvariantCulture) });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            foreach (var update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
