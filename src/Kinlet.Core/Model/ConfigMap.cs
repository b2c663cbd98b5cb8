namespace Kinlet.Core.Model;

/// <summary>
/// A Kubernetes v1 ConfigMap: <c>data</c> holds UTF-8 values, <c>binaryData</c> base64 ones; a key is in one of
/// the two. Not secret: reads return the values. <c>immutable: true</c> freezes the data (and itself) once stored.
/// </summary>
public sealed class ConfigMap
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "ConfigMap";
    public ObjectMeta Metadata { get; set; } = new();
    public Dictionary<string, string>? Data { get; set; }
    public Dictionary<string, string>? BinaryData { get; set; }
    public bool? Immutable { get; set; }
}
