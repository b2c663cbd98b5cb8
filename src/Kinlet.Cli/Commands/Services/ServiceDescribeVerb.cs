using System.CommandLine;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Services;

/// <summary><c>kinlet service describe NAME</c>: the service, its traffic, its revisions and their instances, its conditions.</summary>
internal sealed class ServiceDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the service" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Service resource");

    protected override Command Create() => new("describe", "Show a service in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        var service = await api.GetServiceAsync(ns, r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(service);
            return ExitCodes.Success;
        }
        var revisions = await api.ListRevisionsAsync(ns, service.Metadata.Name, ct).ConfigureAwait(false);
        Write(output.Human, service, revisions.Items, Context.Now, Context.Host.TerminalWidth);
        return ExitCodes.Success;
    }

    internal static void Write(TextWriter writer, Core.Model.Service service, IReadOnlyList<Core.Model.Revision> revisions, DateTimeOffset now, int? width)
    {
        var status = service.Status;
        var latestName = status?.LatestCreatedRevisionName;
        var latest = revisions.FirstOrDefault(x => x.Metadata.Name == latestName);
        // The image of the latest revision is what runs (or is about to); the template is the fallback.
        var container = (latest is null ? null : Kinlet.Core.Serving.PodLayout.Serving(latest.Spec)) ?? Kinlet.Core.Serving.PodLayout.Serving(service.Spec.Template.Spec);

        var d = new DescribeWriter(writer, width)
            .Field("Name", service.Metadata.Name)
            .Field("Namespace", service.Metadata.Namespace)
            .Field("URL", status?.Url)
            .Field("Age", Age.Format(service.Metadata.CreationTimestamp, now))
            .Field("Image", container?.Image)
            .Field("Port", container?.Ports?.FirstOrDefault()?.ContainerPort?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Field("Env", ResourceTables.Env(container?.Env))
            .Field("Env From", ResourceTables.EnvFrom(container?.EnvFrom))
            .Map("Labels", service.Metadata.Labels)
            .Map("Annotations", service.Metadata.Annotations);

        d.Section("Traffic", ResourceTables.Traffic(status?.Traffic ?? service.Spec.Traffic), whenEmpty: "(none yet)");

        var (percent, tags) = ResourceTables.TrafficByRevision([service]);
        var revisionTable = new TableView("NAME", "TRAFFIC", "TAGS", "READY", "INSTANCES", "RESTARTS", "AUTOSCALER", "AGE", "REASON");
        foreach (var rev in revisions.OrderByDescending(Generation).ThenByDescending(x => x.Metadata.Name, StringComparer.Ordinal))
        {
            var n = rev.Metadata.Name ?? "";
            revisionTable.Add(n, percent.TryGetValue(n, out var p) ? ResourceTables.Percent(p) : "",
                tags.TryGetValue(n, out var t) ? string.Join(",", t) : "",
                ResourceTables.ReadyStatus(rev.Status?.Conditions),
                ResourceTables.Instances(rev.Status),
                (rev.Status?.Restarts ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ResourceTables.Scaling(rev.Status, now),
                Age.Format(rev.Metadata.CreationTimestamp, now), ResourceTables.ReadyReason(rev.Status?.Conditions));
        }
        d.Section("Revisions", revisionTable, whenEmpty: "(none)");
        d.Section("Conditions", ResourceTables.Conditions(status?.Conditions, now), whenEmpty: "(none reported yet)");
    }

    internal static long Generation(Core.Model.Revision revision) =>
        long.TryParse(revision.Metadata.Label(KnownKeys.ConfigurationGenerationLabel), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 0;
}
