using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kinlet.Cli.Functions;

/// <summary>
/// <c>kinlet.yaml</c>: how <c>kinlet deploy</c> builds a function folder and which Knative Service fields it sets.
/// Unknown keys are errors (with their line), so a typo never silently does nothing.
/// </summary>
internal sealed class FunctionConfig
{
    public const string FileName = "kinlet.yaml";

    public string? Name { get; set; }
    /// <summary>dotnet, node, python or shell; may be left out when the folder has its own Dockerfile.</summary>
    public string? Language { get; set; }
    /// <summary>http (default) or cloudevents.</summary>
    public string? Template { get; set; }
    public string? Namespace { get; set; }
    /// <summary>local (default: kinlet.local images, no registry) or official (the languages' registry images).</summary>
    public string? Base { get; set; }
    public List<EnvVar>? Env { get; set; }
    public ScaleSettings? Scale { get; set; }
    /// <summary>containerConcurrency: requests in flight per instance, 0 for no limit.</summary>
    public long? Concurrency { get; set; }
    public ResourceSettings? Resources { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }

    internal sealed class EnvVar
    {
        public string? Name { get; set; }
        public string? Value { get; set; }
        public ValueSource? ValueFrom { get; set; }
    }

    internal sealed class ValueSource
    {
        public KeyRef? SecretKeyRef { get; set; }
    }

    internal sealed class KeyRef
    {
        public string? Name { get; set; }
        public string? Key { get; set; }
    }

    internal sealed class ScaleSettings
    {
        public int? Min { get; set; }
        public int? Max { get; set; }
        public int? Initial { get; set; }
        /// <summary>autoscaling.knative.dev/target: requests in flight per instance the autoscaler aims for.</summary>
        public int? Target { get; set; }
    }

    internal sealed class ResourceSettings
    {
        public Dictionary<string, string>? Limits { get; set; }
        public Dictionary<string, string>? Requests { get; set; }
    }

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Reads <c>DIR/kinlet.yaml</c>; null when there is none.</summary>
    public static FunctionConfig? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        return Parse(File.ReadAllText(path), path);
    }

    public static FunctionConfig Parse(string text, string source)
    {
        try
        {
            return Reader.Deserialize<FunctionConfig?>(text) ?? new FunctionConfig();
        }
        catch (YamlException e)
        {
            // YamlDotNet wraps the useful part ("Property 'scal' not found") in an outer exception.
            var inner = e.InnerException is YamlException i ? i.Message : null;
            var message = inner ?? e.Message;
            throw CliException.Usage($"{source}:{e.Start.Line}: {Trim(message)}");
        }
    }

    private static string Trim(string message)
    {
        // "(Line: 3, Col: 1, Idx: 20) - (Line: ...): Property 'x' not found on type '...'."
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = i >= 0 ? message[(i + 3)..] : message;
        var onType = text.IndexOf(" not found on type", StringComparison.Ordinal);
        return onType >= 0 ? text[..onType] + " is not a kinlet.yaml field" : text;
    }
}
