using System.CommandLine;
using Kinlet.Cli.Commands.Triggers;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Sources;

/// <summary>
/// <c>kinlet source ping create NAME --schedule CRON --sink broker:B|ksvc:S|URL [--data D | --data-base64 B] [--content-type T] [--timezone Z]</c>,
/// as <c>kn source ping create</c>.
/// </summary>
internal sealed class PingSourceCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the ping source" };
    private readonly Option<string> schedule = new("--schedule") { Description = "Cron schedule, e.g. '*/1 * * * *' (6 fields: seconds first)", Required = true };
    private readonly Option<string> sink = new("--sink", "-s") { Description = "Where the events go: broker:NAME, ksvc:NAME[/path] or an http(s) URL", Required = true };
    private readonly Option<string?> data = new("--data", "-d") { Description = "The event's data (with the default content type, a JSON object)" };
    private readonly Option<string?> dataBase64 = new("--data-base64") { Description = "The event's data as base64 (binary data)" };
    private readonly Option<string?> contentType = new("--content-type") { Description = "The data's content type (default application/json)" };
    private readonly Option<string?> timezone = new("--timezone") { Description = "IANA time zone the schedule is read in (default UTC)" };

    protected override Command Create() =>
        new("create", "Create a ping source: a CloudEvent on a cron schedule") { name, schedule, sink, data, dataBase64, contentType, timezone };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var source = new PingSource
        {
            Metadata = new ObjectMeta { Name = r.GetValue(name), Namespace = ns },
            Spec = new PingSourceSpec
            {
                Schedule = r.GetValue(schedule),
                Sink = TriggerSinks.Parse(r.GetValue(sink)!, "--sink"),
                Data = r.GetValue(data),
                DataBase64 = r.GetValue(dataBase64),
                ContentType = r.GetValue(contentType),
                Timezone = r.GetValue(timezone),
            },
        };
        var created = await Context.Api(r).CreatePingSourceAsync(ns, source, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Ping source '{created.Metadata.Name}' created: '{created.Spec.Schedule}' to {created.Status?.SinkUri}");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet source ping list</c>: NAME, SCHEDULE, SINK, AGE, READY.</summary>
internal sealed class PingSourceListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the ping source list");

    protected override Command Create()
    {
        var command = new Command("list", "List ping sources") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var sources = await Context.Api(r).ListPingSourcesAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        sources.Items = [.. sources.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(sources);
            return ExitCodes.Success;
        }
        if (sources.Items.Count == 0)
        {
            output.Line("No ping sources found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "SCHEDULE", "SINK", "AGE", "READY");
        foreach (var s in sources.Items)
            table.Add(s.Metadata.Name, s.Spec.Schedule, TriggerSinks.Describe(s.Spec.Sink), Age.Format(s.Metadata.CreationTimestamp, Context.Now),
                ResourceTables.ReadyStatus(s.Status?.Conditions));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet source ping describe NAME</c>.</summary>
internal sealed class PingSourceDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the ping source" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the PingSource resource");

    protected override Command Create() => new("describe", "Show a ping source in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var s = await Context.Api(r).GetPingSourceAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(s);
            return ExitCodes.Success;
        }
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", s.Metadata.Name)
            .Field("Namespace", s.Metadata.Namespace)
            .Field("Schedule", s.Spec.Schedule)
            .Field("Time zone", s.Spec.Timezone ?? "UTC")
            .Field("Content type", s.Spec.ContentType)
            .Field("Data", s.Spec.Data ?? (s.Spec.DataBase64 is { } b ? "(base64) " + b : null))
            .Field("Sink", TriggerSinks.Describe(s.Spec.Sink))
            .Field("Sink URL", s.Status?.SinkUri)
            .Field("Age", Age.Format(s.Metadata.CreationTimestamp, Context.Now))
            .Section("Conditions", ResourceTables.Conditions(s.Status?.Conditions, Context.Now), whenEmpty: "(none reported yet)");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet source ping delete NAME</c>.</summary>
internal sealed class PingSourceDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the ping source" };

    protected override Command Create() => new("delete", "Delete a ping source") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeletePingSourceAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Ping source '{n}' deleted.");
        return ExitCodes.Success;
    }
}
