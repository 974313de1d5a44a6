using System.Globalization;
using System.Text.Json;
using LongMemory.ChatHost.Hosting;
using LongMemory.ChatHost.Rendering;
using Spectre.Console;

namespace LongMemory.ChatHost.Demo;

/// <summary>The <c>demo</c> subcommand: runs <see cref="DemoRunner"/> with progress, prints the results, writes the JSON report.</summary>
internal static class DemoCommand
{
    /// <summary>Runs the demo from the command line.</summary>
    /// <param name="ui">The console.</param>
    /// <param name="args">The arguments (--db, --json, --context).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The exit code: 0, or 1 when a prompt went over budget.</returns>
    public static async Task<int> RunAsync(ConsoleUi ui, HostArguments args, CancellationToken cancellationToken = default)
    {
        var temporary = args.DatabasePath is null;
        var path = args.DatabasePath ?? Path.Combine(Path.GetTempPath(), "longmemory-demo-" + Guid.NewGuid().ToString("N") + ".db");
        var maxContext = args.ContextTokens ?? 2048;
        var options = new DemoRunOptions { DatabasePath = path, MaxContextTokens = maxContext, ReservedOutputTokens = Math.Min(512, maxContext / 4) };
        ui.Write(new Panel(new Markup(string.Create(CultureInfo.InvariantCulture,
                $"Replaying [bold]{options.Steps.Count}[/] scripted user turns in [bold]{DemoScript.SessionTitles.Count}[/] sessions through LongMemoryChatClient, [yellow]offline[/] (a recording stand-in model), " +
                $"context window [bold]{maxContext}[/] tokens. Facts are stated early, changed later and asked about much later.\n" +
                $"Database: {Markup.Escape(path)}{(temporary ? " (temporary)" : string.Empty)}")))
            .Header("LongMemory demo (offline)").Border(BoxBorder.Rounded));

        DemoReport report;
        try
        {
            report = await RunWithProgressAsync(ui, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (temporary)
            {
                DeleteDatabase(path);
            }
        }

        if (args.JsonPath is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(args.JsonPath));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            await File.WriteAllTextAsync(args.JsonPath, JsonSerializer.Serialize(report, DemoJsonContext.Default.DemoReport), cancellationToken).ConfigureAwait(false);
        }

        PrintResults(ui, report);
        if (args.JsonPath is not null)
        {
            ui.Info("JSON report written to " + Path.GetFullPath(args.JsonPath));
        }

        return report.Summary.TurnsOverBudget == 0 ? 0 : 1;
    }

    private static async Task<DemoReport> RunWithProgressAsync(ConsoleUi ui, DemoRunOptions options, CancellationToken cancellationToken)
    {
        if (!ui.Interactive)
        {
            var plain = new InlineProgress<DemoProgress>(p =>
            {
                if (p.Turn % 25 == 0 || p.Turn == p.Total)
                {
                    ui.Info(string.Create(CultureInfo.InvariantCulture, $"demo: turn {p.Turn}/{p.Total} (session {p.Session})"));
                }
            });
            return await DemoRunner.RunAsync(options, plain, cancellationToken).ConfigureAwait(false);
        }

        DemoReport? result = null;
        await ui.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Replaying the conversation", maxValue: options.Steps.Count);
                var progress = new InlineProgress<DemoProgress>(p =>
                {
                    task.Value = p.Turn;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"Session {p.Session}, turn {p.Turn}/{p.Total}");
                });
                result = await DemoRunner.RunAsync(options, progress, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result!;
    }

    private static void PrintResults(ConsoleUi ui, DemoReport report)
    {
        var checks = new Table().Border(TableBorder.Rounded).Title("Recall checks: was the fact in the prompt when it was asked?")
            .AddColumn("Fact").AddColumn(new TableColumn("Stated").RightAligned()).AddColumn(new TableColumn("Asked").RightAligned())
            .AddColumn(new TableColumn("Gap").RightAligned()).AddColumn("Recalled").AddColumn("Found in");
        foreach (var c in report.Checks)
        {
            checks.AddRow(
                Markup.Escape(c.Fact),
                c.StatedAtTurn.ToString(CultureInfo.InvariantCulture),
                c.AskedAtTurn.ToString(CultureInfo.InvariantCulture),
                (c.AskedAtTurn - c.StatedAtTurn).ToString(CultureInfo.InvariantCulture),
                c.Recalled ? "[green]yes[/]" : "[red]no[/]",
                Markup.Escape(c.FoundIn.Count == 0 ? "-" : string.Join(", ", c.FoundIn)));
        }

        ui.Write(checks);

        var s = report.Summary;
        var summary = new Table().Border(TableBorder.Rounded).Title("Demo summary").AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        summary.AddRow("Checks recalled", string.Create(CultureInfo.InvariantCulture, $"{s.ChecksRecalled}/{s.ChecksTotal} ({(s.ChecksTotal == 0 ? 0 : 100.0 * s.ChecksRecalled / s.ChecksTotal):0}%)"));
        summary.AddRow("Max prompt tokens / budget", string.Create(CultureInfo.InvariantCulture, $"{s.MaxPromptTokens} / {s.Budget} (window {s.MaxContextTokens})"));
        summary.AddRow("Turns over budget", s.TurnsOverBudget == 0 ? "[green]0[/]" : $"[red]{s.TurnsOverBudget.ToString(CultureInfo.InvariantCulture)}[/]");
        summary.AddRow("Turns (sessions)", string.Create(CultureInfo.InvariantCulture, $"{s.Turns} ({s.Sessions})"));
        summary.AddRow("Messages stored", s.MessagesStored.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("Turns with context trimmed", s.TurnsTrimmed.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("Highest summary level", s.MaxSummaryLevel.ToString(CultureInfo.InvariantCulture));
        summary.AddRow("Knowledge entries at the end", (report.Turns.Count == 0 ? 0 : report.Turns[^1].KnowledgeCount).ToString(CultureInfo.InvariantCulture));
        summary.AddRow("Wall time", string.Create(CultureInfo.InvariantCulture, $"{s.WallMilliseconds / 1000.0:0.0} s"));
        ui.Write(summary);
    }

    private static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Still mapped by a pooled connection on some platforms; the OS cleans the temp folder.
            }
        }
    }
}
