using System.Text.Json.Nodes;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Core.Validation;

namespace Kinlet.Cli.Commands.Apply;

/// <summary>The text of one <c>-f</c> argument (a file, a file in a directory, or stdin as "-").</summary>
internal sealed record ManifestSource(string Name, string Text);

/// <summary>One resource to apply: the typed service (for comparing) and the body to send as written.</summary>
/// <remarks>
/// <see cref="Revisions"/>: earlier documents of the same service that each name their revision (kn's
/// <c>export --with-revisions</c> replay shape); each is applied first unless that revision exists.
/// </remarks>
internal sealed record PlannedService(string Source, int Line, string Namespace, string Name, Core.Model.Service Service, JsonObject Body)
{
    public IReadOnlyList<PlannedService> Revisions { get; init; } = [];

    public string? RevisionName => Service.Spec.Template.Metadata?.Name;

    /// <summary>A replay item: a named revision template and no traffic of its own.</summary>
    public bool IsRevisionReplay => !string.IsNullOrEmpty(RevisionName) && Service.Spec.Traffic is null or { Count: 0 };
}

/// <summary>
/// A Broker, Trigger or PingSource to apply: where it lives in the control API, and the body to send. Compared
/// with what the daemon holds by its <c>spec</c> (and labels/annotations), as written.
/// </summary>
internal sealed record PlannedResource(string Source, int Line, string Kind, string Namespace, string Name, string CollectionPath, string ItemPath, JsonObject Body)
{
    /// <summary>
    /// Applied in this order, so what a resource references exists before it: config maps (a service's env and
    /// volumes), brokers, services, triggers, sources, destination rules, virtual services (a subset before the rule naming it).
    /// </summary>
    public int Order => Kind switch { "ConfigMap" => -1, "Broker" => 0, "Trigger" => 2, "DestinationRule" => 4, "VirtualService" => 5, _ => 3 };
}

/// <summary>Everything one <c>kinlet apply</c> sends.</summary>
internal sealed record ApplyPlan(IReadOnlyList<PlannedService> Services, IReadOnlyList<PlannedResource> Resources);

/// <summary>
/// Reads and checks every document before anything is applied: one unsupported kind or bad field and
/// nothing is sent, and every problem is listed at once.
/// </summary>
internal static class ManifestPlan
{
    /// <summary>
    /// Knative's rules with the limits a daemon may raise lifted: the client catches what is wrong
    /// anywhere (a missing image, a bad name, traffic not summing to 100); the daemon keeps its own limits.
    /// </summary>
    private static readonly ServingDefaults Permissive = new()
    {
        MaxTimeoutSeconds = long.MaxValue,
        MaxContainerConcurrency = long.MaxValue,
        AllowZeroInitialScale = true,
    };

    public static ApplyPlan Build(IEnumerable<ManifestSource> sources, string defaultNamespace)
    {
        var planned = new List<PlannedService>();
        var others = new List<PlannedResource>();
        var errors = new List<string>();
        foreach (var source in sources)
        {
            IReadOnlyList<ManifestResource> resources;
            try
            {
                resources = ManifestReader.Read(source.Text);
            }
            catch (ManifestException e)
            {
                errors.Add($"{source.Name}: {e.Message}");
                continue;
            }
            catch (ValidationException e)
            {
                errors.Add($"{source.Name}: {e.Message}");
                continue;
            }
            foreach (var resource in resources)
            {
                if (resource.Kind != "Service" || resource.ApiVersion != KnativeApi.ServingV1)
                {
                    if (CheckEventing(source, resource, defaultNamespace, errors) is not { } e) continue;
                    if (others.Find(x => x.Kind == e.Kind && x.Namespace == e.Namespace && x.Name == e.Name) is { } dup)
                        errors.Add($"{source.Name}:{e.Line}: {e.Kind} {e.Name} is also in {dup.Source}:{dup.Line}; apply each resource once");
                    else others.Add(e);
                    continue;
                }
                if (Check(source, resource, defaultNamespace, errors) is { } p)
                {
                    var at = planned.FindIndex(x => x.Namespace == p.Namespace && x.Name == p.Name);
                    if (at < 0) planned.Add(p);
                    else if (planned[at] is { IsRevisionReplay: true } earlier && earlier.RevisionName != p.RevisionName)
                        planned[at] = p with { Revisions = [.. earlier.Revisions, earlier with { Revisions = [] }] };
                    else
                        errors.Add($"{source.Name}:{p.Line}: Service {p.Name} is also in {planned[at].Source}:{planned[at].Line}; apply each service once (or name each earlier revision, as export --with-revisions does)");
                }
            }
        }
        if (errors.Count == 0 && planned.Count == 0 && others.Count == 0)
            errors.Add("no resources found in " + string.Join(", ", sources.Select(s => s.Name)));
        if (errors.Count > 0)
            throw new CliException(errors[0], ExitCodes.Usage, [.. errors.Skip(1).Select(e => "Error: " + e)]);
        return new ApplyPlan(planned, [.. others.OrderBy(o => o.Order)]);
    }

    /// <summary>A Broker, Trigger or PingSource: bound and checked for shape here; the daemon checks the rest (filters, schedule).</summary>
    private static PlannedResource? CheckEventing(ManifestSource source, ManifestResource resource, string defaultNamespace, List<string> errors)
    {
        var at = $"{source.Name}:{resource.Line}";
        try
        {
            (string Ns, string Name, string Plural, string ApiVersion, IReadOnlyList<FieldError> Errors)? checkedResource = (resource.Kind, resource.ApiVersion) switch
            {
                ("Broker", KnativeApi.EventingV1) => Checked(ManifestReader.Bind<Broker>(resource.Body).Value, b => b.Metadata, EventingValidator.Validate, "brokers", KnativeApi.EventingV1),
                ("Trigger", KnativeApi.EventingV1) => Checked(ManifestReader.Bind<Trigger>(resource.Body).Value, t => t.Metadata, EventingValidator.Validate, "triggers", KnativeApi.EventingV1),
                ("VirtualService", var v) when IstioApi.IsVersion(v) => Checked(ManifestReader.Bind<VirtualService>(resource.Body).Value, x => x.Metadata, x => IstioValidator.Validate(x).Errors, "virtualservices", IstioApi.V1),
                ("DestinationRule", var v) when IstioApi.IsVersion(v) => Checked(ManifestReader.Bind<DestinationRule>(resource.Body).Value, x => x.Metadata, x => IstioValidator.Validate(x).Errors, "destinationrules", IstioApi.V1),
                ("PingSource", KnativeApi.SourcesV1) => Checked(ManifestReader.Bind<PingSource>(resource.Body).Value, p => p.Metadata, EventingValidator.Validate, "pingsources", KnativeApi.SourcesV1),
                ("ConfigMap", "v1") => Checked(ManifestReader.Bind<ConfigMap>(resource.Body).Value, m => m.Metadata, ConfigMapValidator.Validate, "configmaps", "v1"),
                _ => null,
            };
            if (checkedResource is not { } c)
            {
                errors.Add($"kind {resource.Kind} ({resource.ApiVersion}) is not supported: kinlet applies serving.knative.dev/v1 Service, v1 ConfigMap, eventing.knative.dev/v1 Broker and Trigger, sources.knative.dev/v1 PingSource, networking.istio.io/v1 (v1beta1, v1alpha3) VirtualService and DestinationRule ({at})");
                return null;
            }
            if (c.Errors.Count > 0)
            {
                errors.AddRange(c.Errors.Select(e => $"{at}: {resource.Describe()}: {e.Field}: {e.Message}"));
                return null;
            }
            var ns = string.IsNullOrWhiteSpace(c.Ns) ? defaultNamespace : c.Ns;
            var body = (JsonObject)resource.Body.DeepClone();
            body.Remove("status");
            if (body["metadata"] is not JsonObject meta) body["metadata"] = meta = new JsonObject();
            meta["namespace"] = ns;
            // Istio's older versions have the same shape: sent (and stored) as v1.
            if (IstioApi.IsVersion(resource.ApiVersion)) body["apiVersion"] = IstioApi.V1;
            // Kubernetes' core group (v1) lives under /api, the others under /apis/GROUP.
            var collection = $"{(c.ApiVersion == "v1" ? "/api" : "/apis")}/{c.ApiVersion}/namespaces/{Uri.EscapeDataString(ns)}/{c.Plural}";
            return new PlannedResource(source.Name, resource.Line, resource.Kind, ns, c.Name, collection, collection + "/" + Uri.EscapeDataString(c.Name), body);
        }
        catch (ValidationException e)
        {
            var field = e.Field is { Length: > 0 } f ? f + ": " : "";
            errors.Add($"{at}: {resource.Describe()}: {field}{e.Errors.FirstOrDefault()?.Message ?? e.Message}");
            return null;
        }

        static (string, string, string, string, IReadOnlyList<FieldError>) Checked<T>(T value, Func<T, ObjectMeta?> meta, Func<T, IReadOnlyList<FieldError>> validate, string plural, string apiVersion)
        {
            var m = meta(value);
            return (m?.Namespace ?? "", m?.Name ?? "", plural, apiVersion, validate(value));
        }
    }

    private static PlannedService? Check(ManifestSource source, ManifestResource resource, string defaultNamespace, List<string> errors)
    {
        var at = $"{source.Name}:{resource.Line}";
        if (resource.Kind != "Service" || resource.ApiVersion != KnativeApi.ServingV1)
        {
            errors.Add($"kind {resource.Kind} ({resource.ApiVersion}) is not supported yet ({at})");
            return null;
        }
        Core.Model.Service service;
        try
        {
            service = ManifestReader.Bind<Core.Model.Service>(resource.Body).Value;
        }
        catch (ValidationException e)
        {
            var field = e.Field is { Length: > 0 } f ? f + ": " : "";
            errors.Add($"{at}: {resource.Describe()}: {field}{e.Errors.FirstOrDefault()?.Message ?? e.Message}");
            return null;
        }
        if (string.IsNullOrWhiteSpace(service.Metadata.Name))
        {
            errors.Add($"{at}: Service: metadata.name: required");
            return null;
        }
        var invalid = ServiceValidator.Validate(service, Permissive);
        if (invalid.Count > 0)
        {
            errors.AddRange(invalid.Select(e => $"{at}: {resource.Describe()}: {e.Field}: {e.Message}"));
            return null;
        }
        var ns = string.IsNullOrWhiteSpace(service.Metadata.Namespace) ? defaultNamespace : service.Metadata.Namespace;
        service.Metadata.Namespace = ns;

        // Send what the user wrote (minus status): the daemon sees every field and warns about those it ignores.
        var body = (JsonObject)resource.Body.DeepClone();
        body.Remove("status");
        if (body["metadata"] is not JsonObject meta) body["metadata"] = meta = new JsonObject();
        meta["namespace"] = ns;
        return new PlannedService(source.Name, resource.Line, ns, service.Metadata.Name, service, body);
    }
}
