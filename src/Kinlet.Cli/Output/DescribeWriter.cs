namespace Kinlet.Cli.Output;

/// <summary>The layout of every <c>describe</c>: aligned "Label: value" lines, then titled sections.</summary>
internal sealed class DescribeWriter(TextWriter writer, int? width)
{
    /// <summary>Fits the longest label in use ("Annotations: ", "Concurrency: ").</summary>
    private const int LabelWidth = 13;

    public DescribeWriter Field(string label, string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        writer.WriteLine($"{(label + ":").PadRight(LabelWidth)}{value}");
        return this;
    }

    public DescribeWriter Map(string label, IReadOnlyDictionary<string, string>? values)
    {
        if (values is null || values.Count == 0) return this;
        var first = true;
        foreach (var (k, v) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WriteLine($"{(first ? label + ":" : "").PadRight(LabelWidth)}{k}={v}");
            first = false;
        }
        return this;
    }

    public DescribeWriter Section(string title, TableView table, string? whenEmpty = null)
    {
        writer.WriteLine();
        writer.WriteLine(title + ":");
        if (table.Rows.Count == 0)
        {
            if (whenEmpty is not null) writer.WriteLine("  " + whenEmpty);
            return this;
        }
        TableRenderer.Write(writer, table, width, indent: "  ");
        return this;
    }
}
