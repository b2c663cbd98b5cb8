using Kinlet.Core.Json;
using Kinlet.Core.Manifests;

namespace Kinlet.Cli.Output;

/// <summary>
/// Routes output: with <c>-o json|yaml</c> only the resource goes to stdout and every human line goes to
/// stderr, so <c>kinlet ... -o json | jq</c> always reads clean JSON.
/// </summary>
internal sealed class OutputWriter(TextWriter stdout, TextWriter stderr, OutputFormat format, int? terminalWidth)
{
    public OutputFormat Format { get; } = format;
    public bool IsMachine => Format != OutputFormat.Human;

    /// <summary>Where sentences for people go: stdout normally, stderr when stdout carries JSON/YAML.</summary>
    public TextWriter Human => IsMachine ? stderr : stdout;

    public TextWriter Stderr => stderr;

    public void Line(string text) => Human.WriteLine(text);

    /// <summary>Writes the resource (or list) in the chosen machine format; does nothing in human mode.</summary>
    public void Resource<T>(T value)
    {
        switch (Format)
        {
            case OutputFormat.Json:
                stdout.WriteLine(KinletJson.Serialize(value, indented: true));
                break;
            case OutputFormat.Yaml:
                stdout.Write(ManifestWriter.ToYaml(value));
                break;
        }
    }

    public void Table(TableView table) => TableRenderer.Write(stdout, table, terminalWidth);
}
