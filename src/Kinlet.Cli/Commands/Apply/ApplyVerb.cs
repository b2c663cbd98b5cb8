using System.CommandLine;
using Kinlet.Cli.Api;
using Kinlet.Cli.Editing;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Apply;

/// <summary>
/// <c>kinlet apply -f FILE...</c>: Knative Service manifests; create what is missing, replace what
/// differs, leave what is equal, then wait for every applied service to be Ready.
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
        var command = new Command("apply", "Create or update services from Knative manifests") { files, output };
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

        var applied = new List<(PlannedService Plan, Service Result)>();
        foreach (var p in plan)
        {
            try
            {
                var existing = await api.FindServiceAsync(p.Namespace, p.Name, ct).ConfigureAwait(false);
                Service result;
                string action;
                if (existing is null)
                {
                    result = await api.CreateServiceAsync(p.Namespace, p.Body, ct).ConfigureAwait(false);
                    action = "created";
                }
                else if (SpecComparer.SameDesiredState(existing, p.Service))
                {
                    result = existing;
                    action = "unchanged";
                }
                else
                {
                    result = await api.ReplaceServiceAsync(p.Namespace, p.Name, p.Body, ct).ConfigureAwait(false);
                    action = "configured";
                }
                output.Line($"Service '{p.Name}' {action}");
                applied.Add((p, result));
            }
            catch (ApiException e) when (e.Status != System.Net.HttpStatusCode.Unauthorized)
            {
                throw e.WithContext($"{p.Source}:{p.Line}: Service {p.Name}");
            }
        }

        var final = new List<Service>();
        if (wait.ShouldWait(r))
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

        if (final.Count == 1) output.Resource(final[0]);
        else output.Resource(new ResourceList<Service> { ApiVersion = KnativeApi.ServingV1, Kind = "ServiceList", Items = final });
        return ExitCodes.Success;
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
