using System.Globalization;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Cli.Commands.Export;

/// <summary>
/// What <c>kinlet export</c> writes for services, in apply order: the ConfigMaps they reference, then (with
/// <c>--with-revisions</c>, kn's replay shape) one Service per revision that traffic names, oldest first, each with
/// that revision's template and name, then the service itself. Secrets are never exported: they are named in a
/// warning instead, as are revisions a cluster would lack without <c>--with-revisions</c>. Pure.
/// </summary>
internal sealed class ExportBundle
{
    private readonly HashSet<string> _configMapsWritten = new(StringComparer.Ordinal);

    public List<object> Documents { get; } = [];
    public List<string> Warnings { get; } = [];

    /// <param name="revisions">The service's revisions (only read with <paramref name="withRevisions"/>).</param>
    /// <param name="configMaps">The namespace's ConfigMaps by name.</param>
    public void Add(Service service, IReadOnlyList<Revision> revisions, IReadOnlyDictionary<string, ConfigMap> configMaps, bool withRevisions)
    {
        var name = service.Metadata.Name ?? "";
        var templateName = service.Spec.Template.Metadata?.Name;
        var routed = (service.Spec.Traffic ?? [])
            .Select(t => t.RevisionName)
            .Where(r => !string.IsNullOrEmpty(r) && r != templateName)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var replay = new List<Service>();
        if (withRevisions)
        {
            foreach (var revision in revisions
                         .Where(r => routed.Contains(r.Metadata.Name))
                         .OrderBy(Generation)
                         .ThenBy(r => r.Metadata.Name, StringComparer.Ordinal))
                replay.Add(FromRevision(service, revision));
            var missing = routed.Where(r => !revisions.Any(x => x.Metadata.Name == r)).ToList();
            if (missing.Count > 0)
                Warnings.Add($"service '{name}': traffic names revision(s) {string.Join(", ", missing)} that do not exist here; not exported");
        }
        else if (routed.Count > 0)
        {
            Warnings.Add($"service '{name}': traffic names revision(s) {string.Join(", ", routed)}, which a cluster would lack; export with --with-revisions to include them");
        }

        var specs = replay.Select(s => s.Spec.Template.Spec).Append(service.Spec.Template.Spec).ToList();
        var maps = specs.SelectMany(s => ConfigReferences.Of(s).ConfigMaps).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var secrets = specs.SelectMany(s => ConfigReferences.Of(s).Secrets).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var map in maps)
        {
            if (configMaps.TryGetValue(map, out var found))
            {
                if (_configMapsWritten.Add(map)) Documents.Add(ForExport(found));
            }
            else
            {
                Warnings.Add($"service '{name}': configmap '{map}' does not exist; not exported");
            }
        }
        if (secrets.Count > 0)
            Warnings.Add($"service '{name}' references secret(s) {string.Join(", ", secrets)}; secrets are not exported: create them on the cluster");

        Documents.AddRange(replay);
        Documents.Add(ManifestWriter.ForExport(service));
    }

    private static long Generation(Revision r) =>
        long.TryParse(r.Metadata.Label(KnownKeys.ConfigurationGenerationLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : long.MaxValue;

    /// <summary>kn's replay item: the service's metadata, the revision's spec, annotations and name, no traffic.</summary>
    private static Service FromRevision(Service service, Revision revision)
    {
        var shell = new Service
        {
            Metadata = service.Metadata,
            Spec = new ServiceSpec
            {
                Template = new RevisionTemplate
                {
                    Metadata = new ObjectMeta
                    {
                        Name = revision.Metadata.Name,
                        Labels = service.Spec.Template.Metadata?.Labels,
                        Annotations = revision.Metadata.Annotations?
                            .Where(kv => kv.Key is not ("serving.knative.dev/routingStateModified" or "serving.knative.dev/lastPinned"))
                            .ToDictionary(kv => kv.Key, kv => kv.Value),
                    },
                    Spec = revision.Spec,
                },
            },
        };
        return ManifestWriter.ForExport(shell);
    }

    /// <summary>The ConfigMap as a user applies it: no uid, version or creation time.</summary>
    public static ConfigMap ForExport(ConfigMap map) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = map.Metadata.Name,
            Namespace = map.Metadata.Namespace,
            Labels = map.Metadata.Labels is { Count: > 0 } l ? l : null,
            Annotations = map.Metadata.Annotations is { Count: > 0 } a ? a : null,
        },
        Data = map.Data is { Count: > 0 } d ? d : null,
        BinaryData = map.BinaryData is { Count: > 0 } b ? b : null,
        Immutable = map.Immutable,
    };
}
