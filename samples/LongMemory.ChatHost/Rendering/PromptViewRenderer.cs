using System.Globalization;
using LongMemory.ChatHost.Offline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LongMemory.ChatHost.Rendering;

/// <summary>Renders what an offline reply recalled: one table per memory block, and the matching recent turns.</summary>
internal static class PromptViewRenderer
{
    /// <summary>Builds the offline answer panel.</summary>
    /// <param name="view">The prompt the offline model received.</param>
    /// <returns>The widget.</returns>
    public static IRenderable Render(PromptView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var rows = new List<IRenderable>();
        if (view.Blocks.Count == 0 && view.MatchingRecentTurns.Count == 0)
        {
            rows.Add(new Markup("[grey]Nothing relevant was recalled for this message.[/]"));
        }

        foreach (var block in view.Blocks)
        {
            var table = new Table().Border(TableBorder.Simple).Title("[bold]" + Markup.Escape(block.Label) + "[/]").Expand()
                .AddColumn(new TableColumn("Recalled").Width(70)).AddColumn("Source").AddColumn("Date").AddColumn(new TableColumn("Rel.").RightAligned());
            foreach (var item in block.Items)
            {
                var text = item.Role is null ? item.Text : item.Role + ": " + item.Text;
                table.AddRow(
                    Markup.Escape(OfflineRecallChatClient.OneLine(text, 300)),
                    Markup.Escape(item.Source),
                    Markup.Escape(item.Date ?? "-"),
                    Markup.Escape(item.Relevance ?? "-"));
            }

            rows.Add(table);
        }

        if (view.MatchingRecentTurns.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).Title("[bold]Matching recent turns[/] [grey](verbatim in the prompt)[/]").Expand()
                .AddColumn("Role").AddColumn("Message");
            foreach (var turn in view.MatchingRecentTurns)
            {
                table.AddRow(Markup.Escape(turn.Role.Value), Markup.Escape(OfflineRecallChatClient.OneLine(turn.Text, 300)));
            }

            rows.Add(table);
        }

        var header = string.Create(CultureInfo.InvariantCulture,
            $"offline recall: {view.RecalledItemCount} recalled item(s), {view.RecentTurns.Count} recent message(s) in the prompt");
        return new Panel(new Rows(rows)).Header(Markup.Escape(header)).Border(BoxBorder.Rounded).Expand();
    }
}
