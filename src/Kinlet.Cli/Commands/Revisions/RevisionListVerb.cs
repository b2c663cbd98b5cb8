using System.CommandLine;
using System.Globalization;
using Kinlet.Cli.Commands.Services;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Revisions;

/// <summary><c>kinlet revision list [--service S]</c>: traffic and tags come from the services' status.</summary>
internal sealed class RevisionListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> service = new("--service", "-s") { Description = "Only the revisions of this service", HelpName = "SERVICE" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the revision list");

    protected override Command Create()
    {
        var command = new Command("list", "List revisions") { service, output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var serviceName = r.GetValue(service);
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        var revisions = await api.ListRevisionsAsync(ns, serviceName, ct).ConfigureAwait(false);
        revisions.Items = [.. revisions.Items
            .OrderBy(x => x.Metadata.Label(KnownKeys.ServiceLabel), StringComparer.Ordinal)
            .ThenByDescending(ServiceDescribeVerb.Generation)
            .ThenBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(revisions);
            return ExitCodes.Success;
        }
        if (revisions.Items.Count == 0)
        {
            output.Line(serviceName is null ? "No revisions found." : $"No revisions found for service '{serviceName}'.");
            return ExitCodes.Success;
        }
        IEnumerable<Core.Model.Service> services = serviceName is null
            ? (await api.ListServicesAsync(ns, ct).ConfigureAwait(false)).Items
            : await api.FindServiceAsync(ns, serviceName, ct).ConfigureAwait(false) is { } one ? [one] : [];
        output.Table(Render(revisions.Items, services, Context.Now));
        return ExitCodes.Success;
    }

    internal static TableView Render(IEnumerable<Core.Model.Revision> revisions, IEnumerable<Core.Model.Service> services, DateTimeOffset now)
    {
        var (percent, tags) = ResourceTables.TrafficByRevision(services);
        var table = new TableView("NAME", "SERVICE", "TRAFFIC", "TAGS", "GENERATION", "AGE", "READY", "REASON");
        foreach (var rev in revisions)
        {
            var n = rev.Metadata.Name ?? "";
            var generation = ServiceDescribeVerb.Generation(rev);
            table.Add(n, rev.Metadata.Label(KnownKeys.ServiceLabel),
                percent.TryGetValue(n, out var p) ? ResourceTables.Percent(p) : "",
                tags.TryGetValue(n, out var t) ? string.Join(",", t) : "",
                generation > 0 ? generation.ToString(CultureInfo.InvariantCulture) : "",
                Age.Format(rev.Metadata.CreationTimestamp, now),
                ResourceTables.ReadyStatus(rev.Status?.Conditions), ResourceTables.ReadyReason(rev.Status?.Conditions));
        }
        return table;
    }
}
