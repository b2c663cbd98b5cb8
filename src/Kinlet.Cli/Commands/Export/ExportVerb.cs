using System.CommandLine;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Export;

/// <summary>
/// <c>kinlet export [NAME]</c>: the services as Knative manifests (no status, no server-set or
/// kinlet.dev/ fields), for <c>kubectl apply</c> on a cluster or <c>kinlet apply</c> here ("unchanged").
/// </summary>
internal sealed class ExportVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string?> name = new("NAME")
    {
        Description = "Service to export; every service of the namespace when left out",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> output = new Option<string?>("--output", "-o")
    {
        Description = "yaml (default; documents separated by ---) or json (a List when NAME is left out)",
        HelpName = "yaml|json",
    }.AcceptOnlyFromAmong("json", "yaml");

    protected override Command Create() => new("export", "Write services as Knative YAML a cluster accepts") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var api = Context.Api(r);
        var serviceName = r.GetValue(name);
        var json = r.GetValue(output) == "json";
        var stdout = Context.Host.Stdout;

        if (serviceName is not null)
        {
            var one = ManifestWriter.ForExport(await api.GetServiceAsync(ns, serviceName, ct).ConfigureAwait(false));
            stdout.Write(json ? KinletJson.Serialize(one, indented: true) + "\n" : ManifestWriter.ToYaml(one));
            return ExitCodes.Success;
        }

        var services = (await api.ListServicesAsync(ns, ct).ConfigureAwait(false)).Items
            .OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
        if (services.Count == 0) Context.Host.Stderr.WriteLine($"No services found in namespace '{ns}'.");
        if (json)
        {
            var list = new ResourceList<Core.Model.Service> { ApiVersion = "v1", Kind = "List", Items = [.. services.Select(ManifestWriter.ForExport)] };
            stdout.WriteLine(KinletJson.Serialize(list, indented: true));
        }
        else if (services.Count > 0)
        {
            stdout.Write(ManifestWriter.ExportYaml(services));
        }
        return ExitCodes.Success;
    }
}
