using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Cli.Editing;

/// <summary>
/// "Unchanged" for <c>apply</c>: the user-owned parts of two services (spec, labels, annotations, as
/// <see cref="ManifestWriter.ForExport"/> keeps them) are equal as canonical JSON, so key order,
/// nulls and empty maps never make a difference. Knative's defaults are filled in on both sides first,
/// so a manifest that leaves out what the daemon stored as a default still reads as unchanged.
/// </summary>
internal static class SpecComparer
{
    public static bool SameDesiredState(Service stored, Service desired) => Canonical(stored) == Canonical(desired);

    public static string Canonical(Service service)
    {
        var export = ManifestWriter.ForExport(service);
        export.Spec.Template = RevisionTemplates.WithDefaults(export.Spec.Template);
        // Knative defaults an empty traffic block to all traffic on the latest revision.
        if (export.Spec.Traffic is null or { Count: 0 })
            export.Spec.Traffic = [new TrafficTarget { LatestRevision = true, Percent = 100 }];
        var node = new JsonObject
        {
            ["labels"] = JsonSerializer.SerializeToNode(export.Metadata.Labels, KinletJson.Options),
            ["annotations"] = JsonSerializer.SerializeToNode(export.Metadata.Annotations, KinletJson.Options),
            ["spec"] = JsonSerializer.SerializeToNode(export.Spec, KinletJson.Options),
        };
        return CanonicalJson.Of(node);
    }
}
