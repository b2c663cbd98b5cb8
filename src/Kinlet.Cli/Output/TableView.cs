namespace Kinlet.Cli.Output;

/// <summary>A plain table: headers and rows of text. Verbs build it; <see cref="TableRenderer"/> draws it.</summary>
internal sealed class TableView(params string[] headers)
{
    public IReadOnlyList<string> Headers { get; } = headers;
    public List<string[]> Rows { get; } = [];

    public TableView Add(params string?[] cells)
    {
        if (cells.Length != Headers.Count)
            throw new ArgumentException($"a row has {cells.Length} cells, the table {Headers.Count} columns", nameof(cells));
        Rows.Add([.. cells.Select(c => c ?? "")]);
        return this;
    }
}
