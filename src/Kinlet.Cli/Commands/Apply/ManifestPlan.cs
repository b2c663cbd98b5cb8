using System.Text.Json.Nodes;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Core.Validation;

namespace Kinlet.Cli.Commands.Apply;

/// <summary>The text of one <c>-f</c> argument (a file, a file in a directory, or stdin as "-").</summary>
internal sealed record ManifestSource(string Name, string Text);

/// <summary>One resource to apply: the typed service (for comparing) and the body to send as written.</summary>
internal sealed record PlannedService(string Source, int Line, string Namespace, string Name, Core.Model.Service Service, JsonObject Body);

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

    public static IReadOnlyList<PlannedService> Build(IEnumerable<ManifestSource> sources, string defaultNamespace)
    {
        var planned = new List<PlannedService>();
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
                if (Check(source, resource, defaultNamespace, errors) is { } p)
                {
                    if (planned.Find(x => x.Namespace == p.Namespace && x.Name == p.Name) is { } twice)
                        errors.Add($"{source.Name}:{p.Line}: Service {p.Name} is also in {twice.Source}:{twice.Line}; apply each service once");
                    else planned.Add(p);
                }
        }
        if (errors.Count == 0 && planned.Count == 0)
            errors.Add("no resources found in " + string.Join(", ", sources.Select(s => s.Name)));
        if (errors.Count > 0)
            throw new CliException(errors[0], ExitCodes.Usage, [.. errors.Skip(1).Select(e => "Error: " + e)]);
        return planned;
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
