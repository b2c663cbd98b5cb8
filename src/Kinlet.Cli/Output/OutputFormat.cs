namespace Kinlet.Cli.Output;

/// <summary><c>-o</c>: human text (the default), or the resource as JSON or YAML.</summary>
internal enum OutputFormat { Human, Json, Yaml }

internal static class OutputFormats
{
    public static readonly string[] Names = ["json", "yaml"];

    public static OutputFormat Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" => OutputFormat.Human,
        "json" => OutputFormat.Json,
        "yaml" or "yml" => OutputFormat.Yaml,
        _ => throw CliException.Usage($"--output: '{value}' is not one of json, yaml"),
    };
}
