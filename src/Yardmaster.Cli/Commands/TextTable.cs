using Spectre.Console;
using Spectre.Console.Rendering;

namespace Yardmaster.Cli.Commands;

/// <summary>
/// Prints Spectre tables in the style of <c>kubectl get</c>: upper-case headers, no borders, no colour when
/// piped, and rows never wrapped when standard output is not a terminal (so they stay greppable).
/// </summary>
internal static class TextTable
{
    /// <summary>The width assumed for piped output: wide enough that no column is folded.</summary>
    private const int PipedWidth = 400;

    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var h in headers)
        {
            var column = new TableColumn(h.ToUpperInvariant()) { NoWrap = true, Padding = new Padding(0, 0, 3, 0) };
            table.AddColumn(column);
        }

        return table;
    }

    /// <summary>Adds a row of plain text (markup characters are escaped).</summary>
    public static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => new Text(c)).ToArray());

    public static void Write(Table table) => Write((IRenderable)table);

    /// <summary>Writes any renderable (several tables, a view of <c>yard top</c>) with the same rules as a table.</summary>
    public static void Write(IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = PipedWidth;
        }

        console.Write(renderable);
    }
}
