using System.CommandLine;
using Kinlet.Cli.Output;

namespace Kinlet.Cli.Commands;

/// <summary>Options every verb understands; recursive, so they go anywhere on the line.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultApi = "http://127.0.0.1:7070";
    public const string ApiEnv = "KINLET_API";

    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"kinletd's control API URL (default ${ApiEnv}, else {DefaultApi})",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "Namespace of the resources",
        HelpName = "NAMESPACE",
        Recursive = true,
        DefaultValueFactory = _ => Core.Model.KnativeApi.DefaultNamespace,
    };

    /// <summary><c>-o json|yaml</c>; each verb that prints a resource adds its own instance.</summary>
    public static Option<string?> CreateOutput(string what = "the resource") =>
        new Option<string?>("--output", "-o")
        {
            Description = $"Print {what} as json or yaml instead of text (only that goes to stdout)",
            HelpName = "json|yaml",
        }.AcceptOnlyFromAmong(OutputFormats.Names);

    public static Option<bool> CreateAllNamespaces() => new("--all-namespaces", "-A")
    {
        Description = "List the resources of every namespace",
    };
}
