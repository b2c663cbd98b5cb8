using System.CommandLine;
using Kinlet.Cli.Api;
using Kinlet.Cli.Editing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Apply;

/// <summary>
/// <c>kinlet apply -f FILE...</c>: Knative Service, Broker, Trigger and PingSource manifests, v1 ConfigMaps and Istio's
/// VirtualService and DestinationRule; create what is missing, replace what differs, leave what is equal (config maps
/// and brokers first, then services, triggers, sources, destination rules, virtual services), then
/// wait for every applied service to be Ready.
/// </summary>
internal sealed class ApplyVerb(CliContext context) : Verb(context)
{
    private static readonly string[] ManifestExtensions = [".yaml", ".yml", ".json"];

    private readonly Option<string[]> files = new("--filename", "-f")
    {
        Description = "Manifest file, directory, or - for stdin (repeatable); YAML or JSON, several documents allowed",
        HelpName = "FILE",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly WaitOptions wait = new();
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the applied services");

    protected override Command Create()
    {
        var command = new Command("apply", "Create or update services, config maps, brokers, triggers, ping sources (Knative) and virtual services, destination rules (Istio) from manifests") { files, output };
        wait.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var timeout = wait.GetTimeout(r);
        var output = Context.Output(r, this.output);
        var sources = await ReadSourcesAsync(r.GetValue(files) ?? [], ct).ConfigureAwait(false);
        var plan = ManifestPlan.Build(sources, ns);
        var api = Context.Api(r);

        var others = new List<object>();
        foreach (var p in plan.Resources.Where(x => x.Order < 1))
            others.Add(await ApplyResourceAsync(api, p, output, ct).ConfigureAwait(false));

        var applied = new List<(PlannedService Plan, Service Result)>();
        foreach (var p in plan.Services)
        {
            try
            {
                // Revisions named by earlier documents (export --with-revisions) first, so the traffic can name them.
                foreach (var revision in p.Revisions)
                {
                    if (await api.FindAsync(ApiPaths.Revision(p.Namespace, revision.RevisionName!), ct).ConfigureAwait(false) is not null)
                    {
                        output.Line($"Revision '{revision.RevisionName}' unchanged");
                        continue;
                    }
                    await ServiceApplier.ApplyAsync(api, p.Namespace, p.Name, revision.Service, revision.Body, ct).ConfigureAwait(false);
                    output.Line($"Revision '{revision.RevisionName}' created");
                }
                var (result, action, _) = await ServiceApplier.ApplyAsync(api, p.Namespace, p.Name, p.Service, p.Body, ct).ConfigureAwait(false);
                output.Line($"Service '{p.Name}' {action}");
                applied.Add((p, result));
            }
            catch (ApiException e) when (e.Status != System.Net.HttpStatusCode.Unauthorized)
            {
                throw e.WithContext($"{p.Source}:{p.Line}: Service {p.Name}");
            }
        }

        foreach (var p in plan.Resources.Where(x => x.Order >= 1))
            others.Add(await ApplyResourceAsync(api, p, output, ct).ConfigureAwait(false));

        var final = new List<Service>();
        if (wait.ShouldWait(r) && applied.Count > 0)
        {
            var waiter = Context.Waiter(api);
            var started = Context.Host.Time.GetTimestamp();
            var failures = new List<CliException>();
            foreach (var (p, result) in applied)
            {
                var left = timeout - Context.Host.Time.GetElapsedTime(started);
                try
                {
                    var ready = await waiter.WaitForReadyAsync(p.Namespace, p.Name, result.Metadata.Generation,
                        left > TimeSpan.Zero ? left : TimeSpan.Zero, ct).ConfigureAwait(false);
                    output.Line($"Service '{p.Name}' is ready at {ready.Status?.Url}");
                    final.Add(ready);
                }
                catch (CliException e) when (e.ExitCode == ExitCodes.NotReady)
                {
                    failures.Add(e);
                }
            }
            // Every failure is listed; the last one becomes the exit line.
            foreach (var f in failures.SkipLast(1)) output.Stderr.WriteLine("Error: " + f.Message);
            if (failures.Count > 0) throw failures[^1];
        }
        else
        {
            final.AddRange(applied.Select(a => a.Result));
        }

        if (others.Count == 0)
        {
            if (final.Count == 1) output.Resource(final[0]);
            else output.Resource(new ResourceList<Service> { ApiVersion = KnativeApi.ServingV1, Kind = "ServiceList", Items = final });
        }
        else
        {
            List<object> all = [.. final, .. others];
            if (all.Count == 1) output.Resource(all[0]);
            else output.Resource(new ResourceList<object> { ApiVersion = "v1", Kind = "List", Items = all });
        }
        return ExitCodes.Success;
    }

    /// <summary>Create, replace, or leave alone one Broker/Trigger/PingSource; unchanged when spec, labels and annotations are as written.</summary>
    private static async Task<object> ApplyResourceAsync(ApiClient api, PlannedResource p, Output.OutputWriter output, CancellationToken ct)
    {
        try
        {
            var existing = await api.FindAsync(p.ItemPath, ct).ConfigureAwait(false);
            JsonElement result;
            string action;
            if (existing is null)
            {
                result = await api.CreateAsync(p.CollectionPath, p.Body, ct).ConfigureAwait(false);
                action = "created";
            }
            else if (SameDesiredState(existing.Value, p.Body))
            {
                result = existing.Value;
                action = "unchanged";
            }
            else
            {
                result = await api.ReplaceAsync(p.ItemPath, p.Body, ct).ConfigureAwait(false);
                action = "configured";
            }
            output.Line($"{p.Kind} '{p.Name}' {action}");
            return result;
        }
        catch (ApiException e) when (e.Status != System.Net.HttpStatusCode.Unauthorized)
        {
            throw e.WithContext($"{p.Source}:{p.Line}: {p.Kind} {p.Name}");
        }
    }

    private static bool SameDesiredState(JsonElement existing, JsonObject desired)
    {
        var current = JsonNode.Parse(existing.GetRawText())!.AsObject();
        // A ConfigMap has no spec: its desired state is its data (values compared as the strings the daemon keeps).
        if (!SameStrings(current["data"], desired["data"]) || !SameStrings(current["binaryData"], desired["binaryData"])
            || !JsonNode.DeepEquals(Normalize(current["immutable"]), Normalize(desired["immutable"])))
            return false;
        return JsonNode.DeepEquals(Normalize(current["spec"]), Normalize(desired["spec"]))
            && JsonNode.DeepEquals(Normalize(current["metadata"]?["labels"]), Normalize(desired["metadata"]?["labels"]))
            && JsonNode.DeepEquals(Normalize(current["metadata"]?["annotations"]), Normalize(desired["metadata"]?["annotations"]));
    }

    private static bool SameStrings(JsonNode? a, JsonNode? b)
    {
        var x = (a as JsonObject)?.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()) ?? [];
        var y = (b as JsonObject)?.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()) ?? [];
        return x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>Empty objects, empty arrays and nulls are the same as absent (the daemon omits them when it writes JSON).</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (k, v) in o)
                    if (Normalize(v) is { } n) copy[k] = n;
                return copy.Count == 0 ? null : copy;
            case JsonArray a:
                if (a.Count == 0) return null;
                var items = new JsonArray();
                foreach (var v in a) items.Add(Normalize(v) ?? JsonValue.Create((string?)null));
                return items;
            default:
                return node?.DeepClone();
        }
    }

    private async Task<List<ManifestSource>> ReadSourcesAsync(IEnumerable<string> paths, CancellationToken ct)
    {
        var sources = new List<ManifestSource>();
        var missing = new List<string>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add(new("<stdin>", await Context.Host.Stdin.ReadToEndAsync(ct).ConfigureAwait(false)));
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path)
                             .Where(f => ManifestExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                    sources.Add(new(file, await File.ReadAllTextAsync(file, ct).ConfigureAwait(false)));
            }
            else if (File.Exists(path))
            {
                sources.Add(new(path, await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)));
            }
            else
            {
                missing.Add($"{path}: no such file or directory");
            }
        }
        if (missing.Count > 0) throw new CliException(missing[0], ExitCodes.Usage, [.. missing.Skip(1).Select(m => "Error: " + m)]);
        return sources;
    }
}
