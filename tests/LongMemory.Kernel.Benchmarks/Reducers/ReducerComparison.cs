using System.Diagnostics;
using System.Globalization;
using System.Text;
using LongMemory.Kernel.Benchmarks.CommandLine;
using LongMemory.Kernel.Benchmarks.Reporting;
using LongMemory.Kernel.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LongMemory.Kernel.Benchmarks.Reducers;

/// <summary>
/// One 1,000-message history (500 turns, 20 planted facts) reduced turn by turn with <c>ReduceInPlaceAsync</c> by
/// SK's ChatHistoryTruncationReducer, SK's ChatHistorySummarizationReducer and ours (in-memory and store-backed), all
/// with the same scripted summarizer: model calls, resulting tokens, planted facts the reduced history still holds.
/// </summary>
internal static class ReducerComparison
{
    private const int Turns = 500;
    private const int FactCount = 20;
    private const int SummaryWords = 60;
    private const int TokenBudget = 4_000;
    private static readonly string[] Things = ["locker code", "gate code", "bike lock code", "library card", "parking spot", "flight number", "booking reference", "desk number", "badge number", "train seat", "hotel room", "gym locker", "wifi password", "account number", "ticket number", "order number", "passport number", "membership id", "voucher code", "tracking number"];
    private static readonly string[] Cities = ["Lisbon", "Porto", "Braga", "Coimbra", "Faro", "Evora", "Aveiro", "Sintra"];

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var output = args.String("out") ?? "tests/LongMemory.Kernel.Benchmarks/results/reducers.md";
        args.EnsureAllUsed();
        var counter = TiktokenTokenCounter.CreateO200kBase();
        var rows = new List<Row>();

        foreach (var name in new[] { "SK ChatHistoryTruncationReducer(20, 20)", "SK ChatHistorySummarizationReducer(20, 20)", "LongMemory in-memory (budget 4,000)", "LongMemory store-backed (budget 4,000)", "LongMemory store-backed, offline extractive summarizer (no model)" })
        {
            var summarizer = new ScriptedSummarizer();
            var memoryBuilder = new ChatMemoryBuilder().UseInMemoryDatabase().Configure(o => o.Reduction.TokenBudget = TokenBudget);
            if (!name.Contains("extractive", StringComparison.Ordinal))
            {
                memoryBuilder.UseSummarizerChatClient(summarizer, fallbackToExtractive: false);
            }

            await using var memory = memoryBuilder.Build();
            var session = await memory.CreateSessionAsync("bench").ConfigureAwait(false);
            IChatHistoryReducer reducer = name switch
            {
                _ when name.Contains("Truncation", StringComparison.Ordinal) => new ChatHistoryTruncationReducer(20, 20),
                _ when name.Contains("Summarization", StringComparison.Ordinal) => new ChatHistorySummarizationReducer(summarizer.AsChatCompletionService(), 20, 20),
                _ when name.Contains("in-memory", StringComparison.Ordinal) => LongMemoryChatHistoryReducer.Create(summarizer, TokenBudget, counter),
                _ => new LongMemoryChatHistoryReducer(memory, session.Scope),
            };

            var history = new ChatHistory("You are a helpful travel assistant.");
            var peak = 0;
            var watch = Stopwatch.StartNew();
            for (var turn = 0; turn < Turns; turn++)
            {
                var (user, assistant) = Turn(turn);
                history.AddUserMessage(user);
                history.AddAssistantMessage(assistant);
                await history.ReduceInPlaceAsync(reducer, CancellationToken.None).ConfigureAwait(false);
                peak = Math.Max(peak, Tokens(counter, history));
            }

            watch.Stop();
            var text = string.Join("\n", history.Select(m => m.Content));
            var held = Enumerable.Range(0, FactCount).Count(i => text.Contains(Code(i), StringComparison.Ordinal));
            int? recallable = null;
            if (reducer is LongMemoryChatHistoryReducer && name.Contains("store", StringComparison.Ordinal))
            {
                recallable = 0;
                for (var i = 0; i < FactCount; i++)
                {
                    var hits = await memory.ForScope(session.Scope).RecallAsync("What is my " + Things[i] + "?", new RecallOptions { TopK = 5 }).ConfigureAwait(false);
                    recallable += hits.Any(h => h.Text.Contains(Code(i), StringComparison.Ordinal)) ? 1 : 0;
                }
            }

            rows.Add(new Row(name, summarizer.Calls, history.Count, Tokens(counter, history), peak, held, recallable, watch.Elapsed.TotalMilliseconds));
            Console.WriteLine($"{name}: {summarizer.Calls} calls, {history.Count} messages, {rows[^1].Tokens} tokens (peak {peak}), {held}/{FactCount} facts held{(recallable is { } r ? $", {r}/{FactCount} recallable from the store" : string.Empty)}, {watch.Elapsed.TotalSeconds:0.0} s");
        }

        var report = Render(rows);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, report).ConfigureAwait(false);
        Console.WriteLine($"Wrote {output}");
        return 0;
    }

    private static (string User, string Assistant) Turn(int turn)
    {
        var city = Cities[turn % Cities.Length];
        if (turn % 24 == 10 && turn / 24 < FactCount)
        {
            var i = turn / 24;
            return ($"Please note, my {Things[i]} is {Code(i)}.", $"Noted: your {Things[i]} is {Code(i)}.");
        }

        return ($"Turn {turn}: what is a good way to spend an afternoon in {city}?", $"In {city} you could walk the old town, try a pastry and watch the sunset by the river.");
    }

    private static string Code(int i) => "QX-" + (1009 + (i * 37)).ToString(CultureInfo.InvariantCulture);

    private static int Tokens(ITokenCounter counter, ChatHistory history) => counter.CountTokens(history.Select(m => m.ToChatMessage()).ToList());

    private static string Render(List<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("# Chat history reducers on one 1,000-message history")
            .AppendLine()
            .AppendLine("Command: `dotnet run -c Release --project tests/LongMemory.Kernel.Benchmarks -- reducers`")
            .AppendLine()
            .AppendLine($"One history of {Turns} turns ({Turns * 2} messages after the system message) with {FactCount} planted facts (\"my locker code is QX-1009\", one every 24 turns from turn 10), ")
            .AppendLine("appended turn by turn with `ChatHistory.ReduceInPlaceAsync` after every turn. Every summarizing reducer uses the same scripted summarizer: it keeps an evenly spaced ")
            .AppendLine($"selection of the input's lines, at most {SummaryWords} words (a neutral, lossy stand-in for a model). Tokens are o200k_base, counted over the final history. ")
            .AppendLine("SK's reducers are configured as their docs suggest (target 20, threshold 20: reduce above 40 messages); ours use the core's defaults (above 40 live messages or 80% of a 4,000-token budget).")
            .AppendLine()
            .AppendLine("| Reducer | Summarizer calls | Final messages | Final tokens | Peak tokens | Planted facts in the history | Facts recallable from the store | Time |")
            .AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Name} | {row.Calls} | {row.Messages} | {row.Tokens:N0} | {row.Peak:N0} | {row.Held}/{FactCount} | {(row.Recallable is { } r ? $"{r}/{FactCount}" : "n/a")} | {row.Milliseconds / 1000:0.0} s |").AppendLine();
        }

        text.AppendLine()
            .AppendLine("Reading it: truncation makes no calls and keeps only its window. SK's summarization reducer keeps one rolling summary that is re-summarized every round ")
            .AppendLine("(fewest calls among the summarizers, smallest history). Ours summarizes each block of about 10 messages once and rolls block summaries up in groups of 4: more ")
            .AppendLine("calls and a larger history (it fills its token budget instead of a message count), and with this lossy scripted summarizer few facts survive in any history. ")
            .AppendLine("The difference that matters is the last column: the store-backed mode keeps every trimmed message, so the facts the history lost are still found by recall ")
            .AppendLine("(and the memory's offline extractive summarizer, which makes no model call, keeps more of them in the history itself).")
            .AppendLine()
            .AppendLine("Machine: " + MachineInfo.Describe());
        return text.ToString();
    }

    private sealed record Row(string Name, int Calls, int Messages, int Tokens, int Peak, int Held, int? Recallable, double Milliseconds);

    /// <summary>The same deterministic "model" for every reducer: evenly spaced lines of its input, at most 60 words.</summary>
    private sealed class ScriptedSummarizer : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            var lines = new List<string>();
            foreach (var message in messages.Where(m => m.Role != ChatRole.System || m.AdditionalProperties?.Count > 0 || !m.Text.Contains("summar", StringComparison.OrdinalIgnoreCase)))
            {
                var body = message.Text;
                var start = body.IndexOf("Summarize this:", StringComparison.Ordinal);
                body = start >= 0 ? body[(start + "Summarize this:".Length)..] : body;
                foreach (var raw in body.Split('\n'))
                {
                    var line = raw.Trim();
                    var colon = line.IndexOf(": ", StringComparison.Ordinal);
                    if (line.Length == 0 || line.StartsWith('<') || line.StartsWith("Summary ", StringComparison.Ordinal) || line.StartsWith('['))
                    {
                        continue;
                    }

                    lines.Add(colon is > 0 and < 10 ? line[(colon + 2)..] : line);
                }
            }

            var kept = lines;
            for (var m = lines.Count; m > 0; m--)
            {
                kept = Enumerable.Range(0, m).Select(i => lines[(int)((long)i * lines.Count / m)]).ToList();
                if (kept.Sum(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) <= SummaryWords)
                {
                    break;
                }
            }

            var summary = kept.Count == 0 ? "Nothing to summarize." : string.Join("\n", kept);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, summary)));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted") : null;

        public void Dispose()
        {
        }
    }
}
