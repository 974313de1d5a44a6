using Spectre.Console;
using Spectre.Console.Rendering;

namespace LongMemory.ChatHost.Rendering;

/// <summary>
/// The host's console: Spectre widgets when attached to a terminal; plain, colourless output without spinners or live
/// progress when input or output is redirected (piped), so transcripts stay readable and nothing waits for a TTY.
/// </summary>
internal sealed class ConsoleUi
{
    /// <summary>Initializes a new instance of the <see cref="ConsoleUi"/> class for the process console.</summary>
    public ConsoleUi()
        : this(CreateConsole(System.Console.IsOutputRedirected), interactive: !System.Console.IsInputRedirected && !System.Console.IsOutputRedirected)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsoleUi"/> class over a given console (tests).</summary>
    /// <param name="console">The console.</param>
    /// <param name="interactive">Whether live widgets (spinners, progress bars) may be used.</param>
    public ConsoleUi(IAnsiConsole console, bool interactive)
    {
        Console = console ?? throw new ArgumentNullException(nameof(console));
        Interactive = interactive;
    }

    /// <summary>Gets the Spectre console.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Gets a value indicating whether live widgets may be used.</summary>
    public bool Interactive { get; }

    /// <summary>Gets a value indicating whether the output can show colours.</summary>
    public bool Colors => Console.Profile.Capabilities.ColorSystem != ColorSystem.NoColors;

    /// <summary>Gets a value indicating whether the output can show Unicode block characters.</summary>
    public bool Unicode => Console.Profile.Capabilities.Unicode;

    /// <summary>Writes a widget.</summary>
    /// <param name="renderable">The widget.</param>
    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>Writes a line of markup.</summary>
    /// <param name="markup">The markup.</param>
    public void Markup(string markup) => Console.MarkupLine(markup);

    /// <summary>Writes an informational line (escaped).</summary>
    /// <param name="text">The text.</param>
    public void Info(string text) => Console.MarkupLine("[grey]" + Spectre.Console.Markup.Escape(text) + "[/]");

    /// <summary>Writes an error line (escaped).</summary>
    /// <param name="text">The text.</param>
    public void Error(string text) => Console.MarkupLine("[red]error:[/] " + Spectre.Console.Markup.Escape(text));

    /// <summary>Writes an empty line.</summary>
    public void Line() => Console.WriteLine();

    /// <summary>Runs work behind a spinner when interactive; plainly otherwise.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="text">What is being done.</param>
    /// <param name="work">The work.</param>
    /// <returns>The work's result.</returns>
    public async Task<T> StatusAsync<T>(string text, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Interactive)
        {
            return await work().ConfigureAwait(false);
        }

        return await Console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Spectre.Console.Markup.Escape(text), _ => work())
            .ConfigureAwait(false);
    }

    /// <summary>Builds a horizontal bar of <paramref name="width"/> cells filled to <paramref name="used"/>/<paramref name="total"/>.</summary>
    /// <param name="used">The used amount.</param>
    /// <param name="total">The total.</param>
    /// <param name="width">The width in cells.</param>
    /// <returns>The bar as markup.</returns>
    public string BarMarkup(int used, int total, int width = 40)
    {
        var ratio = total <= 0 ? 1.0 : Math.Clamp(used / (double)total, 0, 1);
        var filled = (int)Math.Round(ratio * width);
        var color = used > total ? "red" : ratio >= 0.9 ? "yellow" : "green";
        var (full, empty) = Unicode ? ('█', '░') : ('#', '-');
        return $"[{color}]{new string(full, filled)}[/][grey]{new string(empty, width - filled)}[/]";
    }

    private static IAnsiConsole CreateConsole(bool outputRedirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = outputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = outputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = outputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (outputRedirected)
        {
            // Spectre assumes 80 columns when it cannot ask a terminal; tables read better a bit wider in a log.
            console.Profile.Width = 120;
        }

        return console;
    }
}
