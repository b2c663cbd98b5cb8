using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.Core.Json;
using Kinlet.Core.Model;

namespace Kinlet.Core.Serving;

/// <summary>Pure helpers for the configuration half of a Service: when a template makes a new revision, and its name.</summary>
public static class RevisionTemplates
{
    /// <summary>
    /// The template as JSON with keys sorted and nulls, empty lists and empty mappings left out, so two
    /// templates that mean the same thing give the same text whatever their key order or spelling of "nothing".
    /// </summary>
    public static string CanonicalJson(RevisionTemplate? template)
    {
        return template is null ? "{}" : Json.CanonicalJson.Of(template);
    }

    /// <summary>True when the two templates are the same revision (a change to either makes a new one in Knative).</summary>
    public static bool TemplateEquals(RevisionTemplate? a, RevisionTemplate? b) =>
        string.Equals(CanonicalJson(a), CanonicalJson(b), StringComparison.Ordinal);

    /// <summary>
    /// Compares after filling in defaults, as Knative compares stored (defaulted) templates: writing out
    /// <c>timeoutSeconds: 300</c> is then no change.
    /// </summary>
    public static bool TemplateEquals(RevisionTemplate? a, RevisionTemplate? b, ServingDefaults defaults) =>
        TemplateEquals(a is null ? null : WithDefaults(a, defaults), b is null ? null : WithDefaults(b, defaults));

    /// <summary>The generated revision name: <c>&lt;config&gt;-00001</c>, five digits or more.</summary>
    public static string RevisionName(string configName, long generation)
    {
        ArgumentException.ThrowIfNullOrEmpty(configName);
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{configName}-{generation:D5}");
    }

    /// <summary>
    /// A copy of <paramref name="spec"/> with Knative's defaults filled in: timeoutSeconds (when unset or 0),
    /// containerConcurrency, the container name, and the serving port when none is declared.
    /// </summary>
    public static RevisionSpec WithDefaults(RevisionSpec spec, ServingDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var d = defaults ?? ServingDefaults.Knative;
        var copy = KinletJson.Clone(spec);
        if (copy.TimeoutSeconds is null or 0) copy.TimeoutSeconds = d.TimeoutSeconds;
        copy.ContainerConcurrency ??= d.ContainerConcurrency;
        copy.Containers ??= [];
        for (var i = 0; i < copy.Containers.Count; i++)
        {
            var c = copy.Containers[i];
            if (c is null) continue;
            if (string.IsNullOrEmpty(c.Name))
                c.Name = copy.Containers.Count == 1 ? d.ContainerName : string.Create(CultureInfo.InvariantCulture, $"{d.ContainerName}-{i}");
        }
        if (copy.InitContainers is { } inits)
            for (var i = 0; i < inits.Count; i++)
                if (inits[i] is { } init && string.IsNullOrEmpty(init.Name))
                    init.Name = string.Create(CultureInfo.InvariantCulture, $"init-{i}");
        // The serving container (the only one, or the one with ports) listens on the default port unless it says otherwise.
        if (copy.Containers.Count > 0 && copy.Containers[PodLayout.ServingIndex(copy)] is { } serving)
        {
            if (serving.Ports is null || serving.Ports.Count == 0)
                serving.Ports = [new ContainerPortSpec { ContainerPort = d.ContainerPort }];
            else if (serving.Ports[0] is { ContainerPort: null } first)
                first.ContainerPort = d.ContainerPort;
        }
        return copy;
    }

    /// <summary>A copy of <paramref name="template"/> whose spec has the defaults filled in.</summary>
    public static RevisionTemplate WithDefaults(RevisionTemplate template, ServingDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        var copy = KinletJson.Clone(template);
        copy.Spec = WithDefaults(copy.Spec ?? new RevisionSpec(), defaults);
        return copy;
    }
}
