using System.CommandLine;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Export;

/// <summary>
/// <c>kinlet export [NAME] [--with-revisions]</c>: the services as Knative manifests (no status, no server-set or
/// kinlet.dev/ fields) with the ConfigMaps they reference before them, for <c>kubectl apply</c> on a cluster or
/// <c>kinlet apply</c> here ("unchanged"). Secrets are named on stderr, never exported (see <see cref="ExportBundle"/>).
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
        Description = "yaml (default; documents separated by ---) or json (a List when there is more than one document)",
        HelpName = "yaml|json",
    }.AcceptOnlyFromAmong("json", "yaml");

    private readonly Option<bool> withRevisions = new("--with-revisions")
    {
        Description = "Also the revisions traffic names, as kn's replay: one Service per revision, oldest first, then the service",
    };

    protected override Command Create() => new("export", "Write services (and their ConfigMaps) as Knative YAML a cluster accepts") { name, output, withRevisions };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var api = Context.Api(r);
        var serviceName = r.GetValue(name);
        var json = r.GetValue(output) == "json";
        var revisionsToo = r.GetValue(withRevisions);
        var stdout = Context.Host.Stdout;

        List<Service> services;
        if (serviceName is not null)
        {
            services = [await api.GetServiceAsync(ns, serviceName, ct).ConfigureAwait(false)];
        }
        else
        {
            services = [.. (await api.ListServicesAsync(ns, ct).ConfigureAwait(false)).Items.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)];
            if (services.Count == 0) Context.Host.Stderr.WriteLine($"No services found in namespace '{ns}'.");
        }

        var bundle = new ExportBundle();
        if (services.Count > 0)
        {
            var configMaps = (await ListConfigMapsAsync(api, ns, ct).ConfigureAwait(false))
                .Where(m => m.Metadata.Name is not null).ToDictionary(m => m.Metadata.Name!, StringComparer.Ordinal);
            foreach (var service in services)
            {
                IReadOnlyList<Revision> revisions = revisionsToo
                    ? (await api.ListRevisionsAsync(ns, service.Metadata.Name, ct).ConfigureAwait(false)).Items
                    : [];
                bundle.Add(service, revisions, configMaps, revisionsToo);
            }
        }
        foreach (var warning in bundle.Warnings) Context.Host.Stderr.WriteLine("Warning: " + warning);

        if (json)
        {
            if (serviceName is not null && bundle.Documents.Count == 1) stdout.Write(KinletJson.Serialize(bundle.Documents[0], indented: true) + "\n");
            else stdout.WriteLine(KinletJson.Serialize(new ResourceList<object> { ApiVersion = "v1", Kind = "List", Items = bundle.Documents }, indented: true));
        }
        else if (bundle.Documents.Count > 0)
        {
            stdout.Write(ManifestWriter.ToYaml((IEnumerable<object>)bundle.Documents));
        }
        return ExitCodes.Success;
    }

    /// <summary>The namespace's ConfigMaps; none from a kinletd that predates them (404).</summary>
    private static async Task<IReadOnlyList<ConfigMap>> ListConfigMapsAsync(Api.ApiClient api, string ns, CancellationToken ct)
    {
        try
        {
            return (await api.ListConfigMapsAsync(ns, ct).ConfigureAwait(false)).Items;
        }
        catch (Api.ApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
