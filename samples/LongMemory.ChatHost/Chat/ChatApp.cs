using System.Globalization;
using LongMemory.ChatHost.Commands;
using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Offline;
using LongMemory.ChatHost.Rendering;
using LongMemory.Kernel;
using Microsoft.Extensions.AI;
using OllamaSharp;
using Spectre.Console;

namespace LongMemory.ChatHost.Chat;

/// <summary>
/// The interactive chat: reads lines from standard input (so it can be driven by a pipe), sends messages through
/// <see cref="LongMemoryChatClient"/> and MEAI's function invocation with the memory tools, and runs the slash commands.
/// </summary>
internal sealed class ChatApp : IAsyncDisposable
{
    private const string Instructions =
        "You are a friendly, concise assistant with long-term memory of this user. Use the memory blocks and tools when they help; " +
        "when the user tells you something worth keeping about themselves, save it with SaveToModelMemory.";

    private readonly ConsoleUi _ui;
    private readonly HostArguments _args;
    private readonly ModelConnection _connection;
    private readonly ChatMemory _memory;
    private readonly IChatClient _inner;
    private ContextReport? _lastReport;
    private readonly string _databasePath;
    private readonly TextReader _input;
    private LongMemoryChatClient _client = null!;
    private IChatClient _chat = null!;
    private IReadOnlyList<ChatSession> _listed = [];
    private ChatSession _session = null!;

    private ChatApp(ConsoleUi ui, HostArguments args, ModelConnection connection, ChatMemory memory, IChatClient inner, string databasePath, TextReader input)
    {
        _ui = ui;
        _args = args;
        _connection = connection;
        _memory = memory;
        _inner = inner;
        _databasePath = databasePath;
        _input = input;
    }

    private MemoryScope Scope => _session.Scope;

    /// <summary>Gets or sets the current session; a new one gets its own memory client.</summary>
    /// <remarks>
    /// The memory client is bound to the session (<see cref="LongMemoryChatClientOptions.SessionId"/>) rather than told it per
    /// call through <c>ChatOptions.ConversationId</c>: the function-invoking client resets <c>ConversationId</c> to the
    /// response's (none) from the second tool round on, which would store the rest of the turn in another session.
    /// </remarks>
    private ChatSession Session
    {
        get => _session;
        set
        {
            if (_session?.Id != value.Id)
            {
                // The previous pipeline is left to the GC, not disposed: disposing it would dispose the shared model client.
                _client = _inner.WithLongMemory(_memory, new LongMemoryChatClientOptions { UserId = _args.User, SessionId = value.Id, OnContextReport = report => _lastReport = report });
                _chat = ToolCallingChat.Create(_client, (call, result) => _ui.Markup(
                    $"[grey]  tool {Markup.Escape(call.Name)}({Markup.Escape(OfflineRecallChatClient.OneLine(FormatArguments(call), 120))}) -> {Markup.Escape(OfflineRecallChatClient.OneLine(result?.ToString() ?? "null", 160))}[/]"));
            }

            _session = value;
        }
    }

    /// <summary>Probes for a model, opens the memory and the user's latest session.</summary>
    /// <param name="ui">The console.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="input">Where lines are read from.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The app.</returns>
    public static async Task<ChatApp> StartAsync(ConsoleUi ui, HostArguments args, TextReader input, CancellationToken cancellationToken = default)
    {
        var connection = await ui.StatusAsync("Looking for an Ollama server...", () => ModelConnection.ProbeAsync(args, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var databasePath = args.PostgresConnectionString is { } postgres
            ? MemoryFactory.DescribePostgres(postgres)
            : args.DatabasePath ?? ChatMemoryBuilder.DefaultDatabasePath;
        IChatClient inner;
        IEmbeddingGenerator<string, Embedding<float>>? embedder = null;
        IChatClient? summarizer = null;
        if (connection.Online)
        {
            // A local model can take minutes to load and answer; OllamaSharp keeps the HttpClient it is given.
            var http = new HttpClient { BaseAddress = connection.Endpoint, Timeout = TimeSpan.FromMinutes(5) };
            IChatClient ollama = new OllamaApiClient(http, connection.Model!);

            // The budget the prompt is assembled for must also be the window Ollama runs with, or it silently cuts.
            inner = ollama.AsBuilder().UseOllamaContextWindow(connection.ContextTokens).Build();
            summarizer = inner;
            if (args.EmbedModel is not null)
            {
                embedder = new OllamaApiClient(http, args.EmbedModel);
            }
        }
        else
        {
            inner = new OfflineRecallChatClient();
        }

        ChatMemory memory;
        try
        {
            memory = MemoryFactory.Create(databasePath, connection.ContextTokens, MemoryFactory.ReserveFor(connection.ContextTokens), embedder, summarizer, args.QdrantUrl, args.QdrantApiKey, args.PostgresConnectionString);
            await ui.StatusAsync("Opening memory...", async () =>
            {
                await memory.StartAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        catch
        {
            inner.Dispose();
            (embedder as IDisposable)?.Dispose();
            throw;
        }

        var app = new ChatApp(ui, args, connection, memory, inner, databasePath, input);
        var sessions = await memory.ListSessionsAsync(args.User, 0, 1, cancellationToken).ConfigureAwait(false);
        app.Session = sessions.Count > 0 ? sessions[0] : await memory.CreateSessionAsync(args.User, cancellationToken: cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>Runs the read-eval-print loop until /quit or the end of input.</summary>
    /// <param name="cancellationToken">Cancels the whole loop.</param>
    /// <returns>The process exit code.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        PrintBanner();
        var echo = !_ui.Interactive;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!echo)
            {
                _ui.Console.Markup("[bold green]you>[/] ");
            }

            var line = await _input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (echo)
            {
                _ui.Markup("[bold green]you>[/] " + Markup.Escape(line));
            }

            var command = ChatCommandParser.Parse(line);
            if (command.Kind == ChatCommandKind.Quit)
            {
                break;
            }

            try
            {
                await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _ui.Error("cancelled.");
            }
            catch (Exception ex) when (ex is LongMemoryStoreException or SessionNotFoundException or ContextBudgetExceededException or OllamaSharp.Models.Exceptions.OllamaException or ArgumentException or InvalidOperationException or KeyNotFoundException or HttpRequestException)
            {
                _ui.Error(ex.Message);
            }
        }

        _ui.Info("Bye. Your conversation is saved in " + _databasePath);
        return 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _chat.Dispose(); // and with it the memory client and the model's client
        await _memory.DisposeAsync().ConfigureAwait(false);
    }

    private void PrintBanner()
    {
        var grid = new Grid().AddColumn().AddColumn();
        if (_connection.Online)
        {
            grid.AddRow("[bold]Model[/]", Markup.Escape($"{_connection.Model} at {_connection.Endpoint} (context {_connection.ContextTokens} tokens{(_connection.SupportsTools ? ", memory tools on" : ", no tool support")})"));
            grid.AddRow("[bold]Embeddings[/]", Markup.Escape(_args.EmbedModel is null ? "offline hashing embedder" : "Ollama " + _args.EmbedModel));
        }
        else
        {
            grid.AddRow("[bold]Mode[/]", "[yellow]offline recall mode[/]: no model; each reply shows what memory recalled for your message");
            grid.AddRow("[bold]Why[/]", Markup.Escape(_connection.OfflineReason ?? "-"));
        }

        grid.AddRow("[bold]User[/]", Markup.Escape(_args.User));
        grid.AddRow("[bold]Database[/]", Markup.Escape(_databasePath));
        grid.AddRow("[bold]Session[/]", Markup.Escape(Describe(_session)));
        var title = _connection.Online ? "LongMemory chat" : "LongMemory chat (offline)";
        _ui.Write(new Panel(grid).Header(title).Border(BoxBorder.Rounded));
        _ui.Info("Type a message, or /help for commands.");
    }

    private async Task ExecuteAsync(ChatCommand command, CancellationToken cancellationToken)
    {
        switch (command.Kind)
        {
            case ChatCommandKind.Message:
                await SendAsync(command.Argument, cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.New:
                Session = await _memory.CreateSessionAsync(_args.User, command.Argument.Length == 0 ? null : command.Argument, cancellationToken: cancellationToken).ConfigureAwait(false);
                _listed = [];
                _ui.Info("New session " + Describe(_session));
                break;
            case ChatCommandKind.Sessions:
                await ShowSessionsAsync(cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Switch:
                await SwitchAsync(command.Argument, cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.History:
                await ShowHistoryAsync(int.Parse(command.Argument, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Summary:
                await ShowSummariesAsync(cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Knowledge:
                await ShowKnowledgeAsync(cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Memory:
                await ShowModelMemoryAsync(cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Remember:
                var saved = await _memory.ForScope(Scope).SaveModelMemoryAsync(command.Argument, source: "user", cancellationToken: cancellationToken).ConfigureAwait(false);
                _ui.Info($"Saved as memory:{saved.Id.ToString(CultureInfo.InvariantCulture)}.");
                break;
            case ChatCommandKind.Forget:
                await ForgetAsync(command.Argument, cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Restore:
                await RestoreAsync(command, cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Report:
                await ShowReportAsync(cancellationToken).ConfigureAwait(false);
                break;
            case ChatCommandKind.Debug:
                if (_lastReport is { } report)
                {
                    _ui.Write(ContextReportView.Debug(report, _ui));
                }
                else
                {
                    _ui.Info("No turn yet in this run: send a message first.");
                }

                break;
            case ChatCommandKind.Help:
                ShowHelp();
                break;
            case ChatCommandKind.Invalid:
                _ui.Error(command.Error ?? "invalid command.");
                break;
        }
    }

    private async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        var tools = _connection.Online && _connection.SupportsTools ? _memory.ForScope(Scope).CreateTools() : [];
        var options = ToolCallingChat.Options(tools);
        var response = await _ui.StatusAsync(_connection.Online ? "Thinking..." : "Recalling...", () => _chat.GetResponseAsync([new ChatMessage(ChatRole.User, text)], options, cancellationToken)).ConfigureAwait(false);
        if (response.AdditionalProperties?.TryGetValue(OfflineRecallChatClient.PromptViewKey, out var value) == true && value is PromptView view)
        {
            _ui.Write(PromptViewRenderer.Render(view));
        }
        else
        {
            // The answer is the last message: the response also carries this turn's tool calls and results.
            var answer = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant)?.Text;
            if (string.IsNullOrWhiteSpace(answer))
            {
                answer = "(empty answer)";
            }

            _ui.Write(new Panel(new Text(answer.Trim())).Header(Markup.Escape(_connection.Model ?? "assistant")).Border(BoxBorder.Rounded).Expand());
        }

        if (_lastReport is { } report)
        {
            _ui.Markup(ContextReportView.Footer(report));
        }

        // The first message titles the session; refresh so /sessions and the banner show it.
        Session = await _memory.ForScope(_session.Scope).GetSessionAsync(cancellationToken).ConfigureAwait(false) ?? _session;
    }

    private async Task ShowSessionsAsync(CancellationToken cancellationToken)
    {
        _listed = await _memory.ListSessionsAsync(_args.User, 0, 50, cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).Title("Sessions of " + Markup.Escape(_args.User))
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("Id").AddColumn("Title").AddColumn(new TableColumn("Messages").RightAligned())
            .AddColumn(new TableColumn("Tokens").RightAligned()).AddColumn("Updated");
        for (var i = 0; i < _listed.Count; i++)
        {
            var s = _listed[i];
            var current = s.Id == _session.Id ? " *" : string.Empty;
            table.AddRow(
                (i + 1).ToString(CultureInfo.InvariantCulture) + current,
                Markup.Escape(s.Id),
                Markup.Escape(s.Title ?? "(untitled)"),
                s.MessageCount.ToString(CultureInfo.InvariantCulture),
                s.TokensUsed.ToString(CultureInfo.InvariantCulture),
                s.UpdatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        _ui.Write(table);
        _ui.Info("* = current. /switch <# or id> to change.");
    }

    private async Task SwitchAsync(string target, CancellationToken cancellationToken)
    {
        ChatSession? found = null;
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            if (_listed.Count == 0)
            {
                _listed = await _memory.ListSessionsAsync(_args.User, 0, 50, cancellationToken).ConfigureAwait(false);
            }

            found = index >= 1 && index <= _listed.Count ? _listed[index - 1] : null;
        }

        if (found is null)
        {
            var session = await _memory.ForScope(new MemoryScope(Scope.UserId, target)).GetSessionAsync(cancellationToken).ConfigureAwait(false);
            found = session is not null && session.UserId == _args.User ? session : null;
        }

        if (found is null)
        {
            _ui.Error($"No session '{target}' (see /sessions).");
            return;
        }

        Session = await _memory.ForScope(found.Scope).GetSessionAsync(cancellationToken).ConfigureAwait(false) ?? found;
        _listed = [];
        _ui.Info("Switched to " + Describe(_session));
    }

    private async Task ShowHistoryAsync(int count, CancellationToken cancellationToken)
    {
        var messages = await _memory.ForScope(Scope).GetMessagesAsync(new MessageQuery { Newest = true, Take = count }, cancellationToken).ConfigureAwait(false);
        var table = new Table().Border(TableBorder.Rounded).Title("History of " + Markup.Escape(Describe(_session)))
            .AddColumn(new TableColumn("Id").RightAligned()).AddColumn("Role").AddColumn("Message").AddColumn(new TableColumn("Tokens").RightAligned());
        foreach (var m in messages.OrderBy(m => m.Id))
        {
            var role = m.IsTrimmed ? m.Role.Value + " [yellow](trimmed)[/]" : m.Role.Value;
            table.AddRow(m.Id.ToString(CultureInfo.InvariantCulture), role, Markup.Escape(OfflineRecallChatClient.OneLine(m.Content, 160)), m.TokenCount.ToString(CultureInfo.InvariantCulture));
        }

        _ui.Write(table);
        if (messages.Any(m => m.IsTrimmed))
        {
            _ui.Info("Trimmed messages are summarized out of the prompt but kept; /restore <ids> brings them back.");
        }
    }

    private async Task ShowSummariesAsync(CancellationToken cancellationToken)
    {
        var summaries = await _memory.ForScope(_session.Scope).GetSummariesAsync(activeOnly: false, cancellationToken).ConfigureAwait(false);
        if (summaries.Count == 0)
        {
            _ui.Info("No summaries yet: the session has not been long enough to reduce.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Summaries")
            .AddColumn(new TableColumn("Id").RightAligned()).AddColumn(new TableColumn("Level").RightAligned()).AddColumn("Covers")
            .AddColumn("State").AddColumn("Summary");
        foreach (var s in summaries.OrderByDescending(s => s.Level).ThenBy(s => s.FirstMessageId))
        {
            table.AddRow(
                s.Id.ToString(CultureInfo.InvariantCulture),
                s.Level.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"messages {s.FirstMessageId}-{s.LastMessageId}"),
                s.IsActive ? "[green]active[/]" : "[grey]folded into a higher level[/]",
                Markup.Escape(OfflineRecallChatClient.OneLine(s.Content, 220)));
        }

        _ui.Write(table);
        _ui.Info("/restore summary:<id> brings a summary's messages back verbatim.");
    }

    private async Task ShowKnowledgeAsync(CancellationToken cancellationToken)
    {
        var entries = await _memory.ForScope(Scope).GetKnowledgeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            _ui.Info("No knowledge captured yet. Tell me about yourself (\"My name is ...\", \"I live in ...\").");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Knowledge about " + Markup.Escape(_args.User))
            .AddColumn("Id").AddColumn("Key").AddColumn("Value").AddColumn(new TableColumn("Conf.").RightAligned()).AddColumn("Since").AddColumn("History");
        foreach (var e in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var history = await _memory.ForScope(Scope).GetKnowledgeHistoryAsync(e.Key, cancellationToken).ConfigureAwait(false);
            var previous = history.Where(h => h.Id != e.Id).Select(h => h.Value).ToList();
            table.AddRow(
                "fact:" + e.Id.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(e.Key),
                Markup.Escape(e.Value),
                e.Confidence.ToString("0.00", CultureInfo.InvariantCulture),
                e.ValidFrom.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                previous.Count == 0 ? "[grey]-[/]" : "was " + Markup.Escape(string.Join(", ", previous)));
        }

        _ui.Write(table);
    }

    private async Task ShowModelMemoryAsync(CancellationToken cancellationToken)
    {
        var entries = await _memory.ForScope(Scope).GetModelMemoryAsync(cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            _ui.Info(_connection.Online
                ? "Model memory is empty: the model saves notes with its SaveToModelMemory tool (or use /remember <text>)."
                : "Model memory is empty. Offline there is no model to save notes; use /remember <text>.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Model memory")
            .AddColumn("Id").AddColumn("Note").AddColumn("Category").AddColumn(new TableColumn("Importance").RightAligned()).AddColumn("Source").AddColumn("Updated");
        foreach (var e in entries)
        {
            table.AddRow(
                "memory:" + e.Id.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(e.Content),
                Markup.Escape(e.Category ?? "-"),
                e.Importance.ToString("0.00", CultureInfo.InvariantCulture),
                Markup.Escape(e.Source),
                e.UpdatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        _ui.Write(table);
    }

    private async Task ForgetAsync(string id, CancellationToken cancellationToken)
    {
        ChatCommandParser.TryParseEntryId(id, out var kind, out var number);
        var forgotten = kind == "memory"
            ? await _memory.ForScope(Scope).ForgetModelMemoryAsync(number, cancellationToken).ConfigureAwait(false)
            : await _memory.ForScope(Scope).ForgetKnowledgeAsync(number, cancellationToken).ConfigureAwait(false);
        if (forgotten)
        {
            _ui.Info($"Forgot {kind}:{number.ToString(CultureInfo.InvariantCulture)}.");
        }
        else
        {
            _ui.Error($"No {kind}:{number.ToString(CultureInfo.InvariantCulture)} for you (see {(kind == "memory" ? "/memory" : "/knowledge")}).");
        }
    }

    private async Task RestoreAsync(ChatCommand command, CancellationToken cancellationToken)
    {
        var restored = command.SummaryId is { } summaryId
            ? await _ui.StatusAsync("Restoring...", () => _memory.ForScope(Scope).RestoreSummaryAsync(summaryId, cancellationToken)).ConfigureAwait(false)
            : await _ui.StatusAsync("Restoring...", () => _memory.ForScope(Scope).RestoreMessagesAsync(command.MessageIds ?? [], cancellationToken)).ConfigureAwait(false);
        _ui.Info(restored == 0
            ? "Nothing to restore: those messages are not trimmed (or not in this session)."
            : $"Restored {restored.ToString(CultureInfo.InvariantCulture)} message(s); they are back in the context from the next turn.");
    }

    private async Task ShowReportAsync(CancellationToken cancellationToken)
    {
        var session = await _memory.ForScope(_session.Scope).GetSessionAsync(cancellationToken).ConfigureAwait(false) ?? _session;
        var all = await _memory.ForScope(Scope).GetMessagesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var summaries = await _memory.ForScope(_session.Scope).GetSummariesAsync(activeOnly: true, cancellationToken).ConfigureAwait(false);
        var knowledge = await _memory.ForScope(Scope).GetKnowledgeAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var notes = await _memory.ForScope(Scope).GetModelMemoryAsync(cancellationToken).ConfigureAwait(false);
        var index = await _memory.ForScope(_session.Scope).GetIndexStatusAsync(cancellationToken).ConfigureAwait(false);
        var trimmed = all.Count(m => m.IsTrimmed);
        var levels = summaries.Count == 0 ? "none" : string.Join(", ", summaries.GroupBy(s => s.Level).OrderBy(g => g.Key).Select(g => $"level {g.Key}: {g.Count()}"));
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Session[/]", Markup.Escape(Describe(session)));
        grid.AddRow("[bold]Messages[/]", string.Create(CultureInfo.InvariantCulture, $"{all.Count} stored, {all.Count - trimmed} live, {trimmed} trimmed (kept, summarized)"));
        grid.AddRow("[bold]Tokens used[/]", session.TokensUsed.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("[bold]Active summaries[/]", Markup.Escape(levels));
        grid.AddRow("[bold]Knowledge[/]", string.Create(CultureInfo.InvariantCulture, $"{knowledge.Count} current facts about {_args.User}"));
        grid.AddRow("[bold]Model memory[/]", string.Create(CultureInfo.InvariantCulture, $"{notes.Count} notes"));
        grid.AddRow("[bold]Indexing[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{index.Indexed} indexed, {index.Pending} pending, {index.Failed} failed{(index.LastError is null ? string.Empty : " (last error: " + index.LastError + ")")}")));
        if (_lastReport is { } report)
        {
            grid.AddRow("[bold]Last prompt[/]", Bar(report));
        }

        _ui.Write(new Panel(grid).Header("Report").Border(BoxBorder.Rounded));

        string Bar(ContextReport r) => _ui.BarMarkup(r.TotalTokens, r.Budget, 30) + string.Create(CultureInfo.InvariantCulture, $" {r.TotalTokens}/{r.Budget} tokens{(r.ContextTrimmed ? " · context trimmed" : string.Empty)}");
    }

    private void ShowHelp()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Commands").AddColumn("Command").AddColumn("What it does");
        foreach (var (syntax, description) in ChatCommandParser.Help)
        {
            table.AddRow(Markup.Escape(syntax), Markup.Escape(description));
        }

        _ui.Write(table);
        _ui.Info("Anything else is sent as a message. Start a message with // to send a leading slash.");
    }

    private static string FormatArguments(FunctionCallContent call)
        => call.Arguments is null ? string.Empty : string.Join(", ", call.Arguments.Select(a => $"{a.Key}={a.Value}"));

    private static string Describe(ChatSession session)
        => string.Create(CultureInfo.InvariantCulture, $"{session.Title ?? "(untitled)"} [{ContextReportView.Short(session.Id)}], {session.MessageCount} messages");
}
