using System.Globalization;
using LongMemory.Kernel;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LongMemory.ChatHost.Rendering;

/// <summary>Renders a <see cref="ContextReport"/>: a footer line per turn, and the full /debug view.</summary>
internal static class ContextReportView
{
    /// <summary>Builds the one-line footer shown under each answer.</summary>
    /// <param name="report">The turn's report.</param>
    /// <returns>The footer markup.</returns>
    public static string Footer(ContextReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"context {report.TotalTokens}/{report.Budget} tokens"),
        };
        foreach (var block in report.Blocks.Where(b => b.Items > 0 && b.Block is not (ContextBlockKind.Instructions or ContextBlockKind.NewMessages)))
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(block.Block)} {block.Items}"));
        }

        var text = "[grey]" + Markup.Escape(string.Join(" · ", parts)) + "[/]";
        if (report.ContextTrimmed)
        {
            text += " " + TrimmedBadge(report);
        }

        return text;
    }

    /// <summary>Builds the /debug view of a report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="ui">The console (for colour and Unicode support).</param>
    /// <returns>The widget.</returns>
    public static IRenderable Debug(ContextReport report, ConsoleUi ui)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(ui);
        var rows = new List<IRenderable>();
        var percent = report.Budget == 0 ? 0 : 100.0 * report.TotalTokens / report.Budget;
        rows.Add(new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[bold]Prompt budget[/] {ui.BarMarkup(report.TotalTokens, report.Budget)} {report.TotalTokens}/{report.Budget} tokens ({percent:0}%) · window {report.MaxContextTokens}, {report.ReservedOutputTokens} reserved for the answer")));

        var badges = new List<string>
        {
            report.BudgetOk ? "[black on green] budget ok [/]" : "[white on red] OVER BUDGET [/]",
        };
        if (report.ContextTrimmed)
        {
            badges.Add(TrimmedBadge(report));
        }

        if (report.SummaryIncluded)
        {
            badges.Add("[black on aqua] summary included [/]");
        }

        if (report.Reduced)
        {
            badges.Add("[black on fuchsia] reduced this turn [/]");
        }

        rows.Add(new Markup(string.Join(" ", badges)));

        if (ui.Colors && report.TotalTokens > 0)
        {
            var chart = new BreakdownChart().FullSize().ShowPercentage();
            var palette = new[] { Color.Grey, Color.Green, Color.Aqua, Color.Yellow, Color.Purple, Color.Blue, Color.Orange1, Color.Teal, Color.White };
            var i = 0;
            foreach (var block in report.Blocks.Where(b => b.Tokens > 0))
            {
                chart.AddItem(Name(block.Block), block.Tokens, palette[i++ % palette.Length]);
            }

            rows.Add(chart);
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Blocks")
            .AddColumn("Block").AddColumn(new TableColumn("Tokens").RightAligned()).AddColumn(new TableColumn("Items").RightAligned())
            .AddColumn(new TableColumn("Dropped").RightAligned()).AddColumn(new TableColumn("Share").RightAligned());
        foreach (var block in report.Blocks)
        {
            table.AddRow(
                Markup.Escape(Name(block.Block)),
                block.Tokens.ToString(CultureInfo.InvariantCulture),
                block.Items.ToString(CultureInfo.InvariantCulture),
                block.Dropped == 0 ? "[grey]0[/]" : $"[yellow]{block.Dropped.ToString(CultureInfo.InvariantCulture)}[/]",
                report.Budget == 0 ? "-" : (100.0 * block.Tokens / report.Budget).ToString("0.0", CultureInfo.InvariantCulture) + "%");
        }

        rows.Add(table);

        if (report.IncludedItems.Count > 0)
        {
            var items = new Table().Border(TableBorder.Simple).Title("Recalled items in the prompt")
                .AddColumn("Block").AddColumn("Id").AddColumn(new TableColumn("Score").RightAligned()).AddColumn("Session").AddColumn("Date");
            foreach (var item in report.IncludedItems.OrderBy(i => i.Block).ThenByDescending(i => i.Score).Take(20))
            {
                items.AddRow(
                    Markup.Escape(Name(item.Block)),
                    Markup.Escape(item.Id),
                    item.Score.ToString("0.000", CultureInfo.InvariantCulture),
                    Markup.Escape(item.SessionId is null ? "-" : item.SessionId == report.SessionId ? "this" : Short(item.SessionId)),
                    item.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            rows.Add(items);
        }

        var knowledge = report.KnowledgeUsed.Count == 0 ? "none" : string.Join(", ", report.KnowledgeUsed);
        rows.Add(new Markup(string.Create(CultureInfo.InvariantCulture,
            $"[grey]knowledge used: {Markup.Escape(knowledge)} · trimmed messages in session: {report.TrimmedCount} · reduce {report.Timings.ReduceMs:0.#} ms, recall {report.Timings.RecallMs:0.#} ms, assemble {report.Timings.AssembleMs:0.#} ms[/]")));
        return new Panel(new Rows(rows)).Header("Last context report").Border(BoxBorder.Rounded).Expand();
    }

    /// <summary>Gets a display name for a block.</summary>
    /// <param name="kind">The block.</param>
    /// <returns>The name.</returns>
    public static string Name(ContextBlockKind kind) => kind switch
    {
        ContextBlockKind.Instructions => "instructions",
        ContextBlockKind.Knowledge => "knowledge",
        ContextBlockKind.ModelMemory => "model memory",
        ContextBlockKind.PastConversation => "past conversation",
        ContextBlockKind.Documents => "documents",
        ContextBlockKind.Summary => "summary",
        ContextBlockKind.Restored => "restored",
        ContextBlockKind.RecentTurns => "recent turns",
        ContextBlockKind.NewMessages => "new message",
        _ => kind.ToString(),
    };

    /// <summary>Shortens an id for a table cell.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The first 8 characters.</returns>
    public static string Short(string id) => id.Length <= 8 ? id : id[..8];

    private static string TrimmedBadge(ContextReport report)
        => string.Create(CultureInfo.InvariantCulture, $"[black on yellow] context trimmed ({report.TrimmedCount} in store) [/]");
}
