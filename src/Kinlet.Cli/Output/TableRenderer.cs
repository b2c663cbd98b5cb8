using System.Text;
using Spectre.Console;

namespace Kinlet.Cli.Output;

/// <summary>kn-style borderless tables through Spectre.Console: aligned columns, no colour, no trailing blanks.</summary>
internal static class TableRenderer
{
    /// <summary>Wide enough that piped output never wraps: scripts read one row per line.</summary>
    private const int PipeWidth = 4096;

    public static void Write(TextWriter writer, TableView view, int? width, string indent = "") =>
        writer.Write(Render(view, width, indent));

    public static string Render(TableView view, int? width, string indent = "")
    {
        var buffer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(buffer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(20, (width ?? PipeWidth) - indent.Length);

        var table = new Table().Border(TableBorder.None);
        for (var i = 0; i < view.Headers.Count; i++)
        {
            var column = new TableColumn(new Text(view.Headers[i])).PadLeft(0).PadRight(i == view.Headers.Count - 1 ? 0 : 3);
            // On a pipe nothing wraps; on a terminal, let Spectre fold long cells rather than overflow.
            if (width is null) column.NoWrap();
            table.AddColumn(column);
        }
        foreach (var row in view.Rows)
            table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        console.Write(table);

        var sb = new StringBuilder();
        foreach (var line in buffer.ToString().Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.Length == 0) continue;
            sb.Append(indent).Append(trimmed).Append('\n');
        }
        return sb.ToString();
    }
}
