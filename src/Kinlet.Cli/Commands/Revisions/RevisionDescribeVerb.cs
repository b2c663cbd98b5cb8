using System.CommandLine;
using System.Globalization;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Revisions;

/// <summary><c>kinlet revision describe NAME</c>.</summary>
internal sealed class RevisionDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the revision" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Revision resource");

    protected override Command Create() => new("describe", "Show a revision in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        var revision = await api.GetRevisionAsync(ns, r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(revision);
            return ExitCodes.Success;
        }
        var serviceName = revision.Metadata.Label(KnownKeys.ServiceLabel);
        var service = serviceName is null ? null : await api.FindServiceAsync(ns, serviceName, ct).ConfigureAwait(false);
        Write(output.Human, revision, service, Context.Now, Context.Host.TerminalWidth);
        return ExitCodes.Success;
    }

    internal static void Write(TextWriter writer, Core.Model.Revision revision, Core.Model.Service? service, DateTimeOffset now, int? width)
    {
        var container = Kinlet.Core.Serving.PodLayout.Serving(revision.Spec);
        var n = revision.Metadata.Name ?? "";
        var (percent, tags) = ResourceTables.TrafficByRevision(service is null ? [] : [service]);
        var d = new DescribeWriter(writer, width)
            .Field("Name", n)
            .Field("Namespace", revision.Metadata.Namespace)
            .Field("Service", revision.Metadata.Label(KnownKeys.ServiceLabel))
            .Field("Generation", revision.Metadata.Label(KnownKeys.ConfigurationGenerationLabel))
            .Field("Age", Age.Format(revision.Metadata.CreationTimestamp, now))
            .Field("Image", container?.Image)
            .Field("Port", container?.Ports?.FirstOrDefault()?.ContainerPort?.ToString(CultureInfo.InvariantCulture))
            .Field("Env", ResourceTables.Env(container?.Env))
            .Field("Env From", ResourceTables.EnvFrom(container?.EnvFrom))
            .Field("Command", container?.Command is { Count: > 0 } cmd ? string.Join(' ', cmd) : null)
            .Field("Args", container?.Args is { Count: > 0 } args ? string.Join(' ', args) : null)
            .Field("Sidecars", revision.Spec.Containers.Count > 1
                ? string.Join(", ", revision.Spec.Containers.Where(c => !ReferenceEquals(c, container)).Select(c => $"{c.Name} ({c.Image})"))
                : null)
            .Field("Init", revision.Spec.InitContainers is { Count: > 0 } inits
                ? string.Join(", ", inits.Select(c => $"{c.Name} ({c.Image})"))
                    + (revision.Status?.InitContainersMs is { } initMs ? $"; {initMs.ToString(CultureInfo.InvariantCulture)} ms at the last start" : "")
                : null)
            .Field("Concurrency", revision.Spec.ContainerConcurrency is { } cc ? (cc == 0 ? "unlimited" : $"{cc} per instance") : null)
            .Field("Instances", ResourceTables.Instances(revision.Status) + " (ready/desired)")
            .Field("Autoscaler", AutoscalerLine(revision.Status))
            .Field("Scale to zero", ResourceTables.ScaleToZero(revision.Status, now))
            .Field("Queued", revision.Status?.QueuedRequests is > 0 and var q ? q.ToString(CultureInfo.InvariantCulture) + " requests waiting" : null)
            .Field("Restarts", revision.Status?.Restarts is { } r ? r.ToString(CultureInfo.InvariantCulture) : null)
            .Field("Traffic", percent.TryGetValue(n, out var p) ? ResourceTables.Percent(p) : "0%")
            .Field("Tags", tags.TryGetValue(n, out var t) ? string.Join(",", t) : null)
            .Map("Annotations", revision.Metadata.Annotations);
        d.Section("Conditions", ResourceTables.Conditions(revision.Status?.Conditions, now), whenEmpty: "(none reported yet)");
    }

    private static string? AutoscalerLine(Core.Model.RevisionStatus? status) => status?.ScaleReason is { } reason
        ? (status.Panicking == true ? "panic mode (scaling on the short window, never down)" : reason)
        : null;
}
