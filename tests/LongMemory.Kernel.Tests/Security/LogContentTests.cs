using LongMemory.Kernel.Tests.Memory;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LongMemory.Kernel.Tests.Security;

/// <summary>Attack family: secrets reaching logs. Logs carry ids and counts; message content only at Trace.</summary>
public class LogContentTests
{
    [Fact(Timeout = 60_000)]
    public async Task EveryOperation_SecretInMessagesFactsAndMemory_NeverLoggedAboveTrace()
    {
        var logs = new CapturingLoggerFactory();
        await using var test = new TestMemory(build: b => b.UseLoggerFactory(logs));
        var model = new RecordingChatClient();
        using var client = new LongMemoryChatClient(model, test.Memory, new LongMemoryChatClientOptions { UserId = "victim" });
        var options = new ChatOptions { ConversationId = "s" };
        for (var turn = 0; turn < 6; turn++)
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"Turn {turn}: my bank PIN is 4321, I live in Lisbon, codeword zanzibarquill.")], options);
        }

        var scope = test.Memory.ForScope(MemoryScope.For("victim", "s"));
        await scope.SummarizeOldestAsync(4);
        var fact = await scope.RememberFactAsync("pin", "4321 zanzibarquill");
        var note = await scope.SaveModelMemoryAsync("PIN 4321 zanzibarquill");
        await scope.RecallAsync("bank PIN zanzibarquill");
        await scope.ForgetKnowledgeAsync(fact.Id);
        await scope.ForgetModelMemoryAsync(note.Id);
        await test.Memory.DeleteSessionAsync(scope.Scope, hard: true);

        Assert.NotEmpty(logs.Entries); // the capture works: something was logged
        foreach (var (level, text) in logs.Entries.Where(e => e.Level > LogLevel.Trace))
        {
            Assert.DoesNotContain("4321", text, StringComparison.Ordinal);
            Assert.DoesNotContain("zanzibarquill", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Lisbon", text, StringComparison.Ordinal);
        }
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly object _gate = new();
        private readonly List<(LogLevel Level, string Text)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Text)> Entries
        {
            get
            {
                lock (_gate)
                {
                    return [.. _entries];
                }
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_gate)
            {
                _entries.Add((logLevel, formatter(state, exception) + " " + exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
