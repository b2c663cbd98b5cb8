using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.Core.Json;
using Kinlet.Core.Model;

namespace Kinlet.Core.Manifests;

/// <summary>Writes resources as manifests; <see cref="ForExport(Service)"/> gives what a Knative cluster accepts.</summary>
public static class ManifestWriter
{
    public static string ToYaml<T>(T resource) => YamlJson.ToYaml(JsonSerializer.SerializeToNode(resource, KinletJson.Options));

    public static string ToYaml<T>(IEnumerable<T> resources) =>
        YamlJson.ToYaml(resources.Select(r => JsonSerializer.SerializeToNode(r, KinletJson.Options)));

    public static string ToJson<T>(T resource) => KinletJson.Serialize(resource, indented: true);

    /// <summary>
    /// The service as the user would apply it to Knative: no status, no server-set metadata
    /// (uid, generation, resourceVersion, creationTimestamp) and no <c>kinlet.dev/</c> annotations.
    /// </summary>
    public static Service ForExport(Service service)
    {
        var copy = KinletJson.Clone(service);
        copy.Status = null;
        copy.Metadata = CleanMeta(copy.Metadata, keepName: true)!;
        if (copy.Spec.Template.Metadata is { } tm)
            copy.Spec.Template.Metadata = CleanMeta(tm, keepName: true);
        if (copy.Spec.Traffic is { } traffic)
            foreach (var t in traffic) t.Url = null;
        return copy;
    }

    private static ObjectMeta? CleanMeta(ObjectMeta meta, bool keepName)
    {
        var clean = new ObjectMeta
        {
            Name = keepName ? meta.Name : null,
            Namespace = meta.Namespace,
            Labels = Filter(meta.Labels),
            Annotations = Filter(meta.Annotations),
        };
        return clean.Name is null && clean.Namespace is null && clean.Labels is null && clean.Annotations is null ? null : clean;
    }

    private static Dictionary<string, string>? Filter(Dictionary<string, string>? map)
    {
        if (map is null) return null;
        var kept = map.Where(kv => !IsServerOwned(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return kept.Count == 0 ? null : kept;
    }

    private static bool IsServerOwned(string key) =>
        key.StartsWith(KnownKeys.KinletPrefix, StringComparison.Ordinal)
        || key is KnownKeys.CreatorAnnotation or "serving.knative.dev/lastModifier"
            or KnownKeys.ServiceLabel or KnownKeys.ConfigurationLabel or KnownKeys.ConfigurationGenerationLabel
            or KnownKeys.RouteLabel or KnownKeys.RoutingStateLabel;

    public static string ExportYaml(IEnumerable<Service> services) => ToYaml(services.Select(ForExport));

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, KinletJson.Options);
}
