namespace Kinlet.Core.Model;

/// <summary>
/// A Kubernetes v1 Secret, as Knative services reference it (<c>valueFrom.secretKeyRef</c>): <c>data</c> holds
/// base64 values, <c>stringData</c> plain ones (write-only, merged into data). The control API never returns
/// values: reads carry the metadata and the key names (<see cref="Keys"/>) only.
/// </summary>
public sealed class Secret
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "Secret";
    public ObjectMeta Metadata { get; set; } = new();
    public string? Type { get; set; }
    public Dictionary<string, string>? Data { get; set; }
    public Dictionary<string, string>? StringData { get; set; }

    /// <summary>Kinlet's read-only view: the key names, sorted; never the values.</summary>
    public List<string>? Keys { get; set; }
}
