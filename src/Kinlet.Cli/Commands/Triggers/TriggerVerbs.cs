using System.CommandLine;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Triggers;

/// <summary>
/// <c>kinlet trigger create NAME --broker B --sink ksvc:NAME|broker:NAME|URL [--filter k=v]... [--filter-sql EXPR]</c>
/// plus delivery flags. Only <c>--filter</c>: Knative's attribute filter; with <c>--filter-sql</c>: <c>spec.filters</c>
/// holding an exact entry per <c>--filter</c> and the CESQL expression.
/// </summary>
internal sealed class TriggerCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the trigger" };
    private readonly Option<string> broker = new("--broker") { Description = "The broker whose events it filters", DefaultValueFactory = _ => "default" };
    private readonly Option<string> sink = new("--sink") { Description = "Where matching events go: ksvc:NAME[/path], broker:NAME or an http(s) URL", Required = true };
    private readonly Option<string[]> filter = new("--filter") { Description = "Attribute that must equal a value, KEY=VALUE (repeatable)", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> filterSql = new("--filter-sql") { Description = "A CloudEvents SQL expression the event must satisfy" };
    private readonly Option<int?> retry = new("--retry") { Description = "Retries after the first attempt" };
    private readonly Option<string?> backoffPolicy = new("--backoff-policy") { Description = "exponential or linear" };
    private readonly Option<string?> backoffDelay = new("--backoff-delay") { Description = "ISO-8601 duration, e.g. PT0.2S" };
    private readonly Option<string?> deadLetterSink = new("--dead-letter-sink") { Description = "Where an event goes after its last failed attempt (same forms as --sink)" };

    protected override Command Create() =>
        new("create", "Create a trigger: a filter over a broker's events and where they go")
            { name, broker, sink, filter, filterSql, retry, backoffPolicy, backoffDelay, deadLetterSink };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var spec = new TriggerSpec { Broker = r.GetValue(broker), Subscriber = TriggerSinks.Parse(r.GetValue(sink)!, "--sink") };
        var pairs = (r.GetValue(filter) ?? []).Select(TriggerSinks.Pair).ToList();
        if (r.GetValue(filterSql) is { Length: > 0 } sql)
            spec.Filters = [.. pairs.Select(p => new FilterSpec { Exact = new() { [p.Key] = p.Value } }), new FilterSpec { Cesql = sql }];
        else if (pairs.Count > 0)
            spec.Filter = new TriggerFilter { Attributes = pairs.ToDictionary(p => p.Key, p => p.Value) };
        if (r.GetValue(retry) is not null || r.GetValue(backoffPolicy) is not null || r.GetValue(backoffDelay) is not null || r.GetValue(deadLetterSink) is not null)
        {
            spec.Delivery = new DeliverySpec
            {
                Retry = r.GetValue(retry),
                BackoffPolicy = r.GetValue(backoffPolicy),
                BackoffDelay = r.GetValue(backoffDelay),
                DeadLetterSink = r.GetValue(deadLetterSink) is { } dls ? TriggerSinks.Parse(dls, "--dead-letter-sink") : null,
            };
        }
        var trigger = new Trigger { Metadata = new ObjectMeta { Name = r.GetValue(name), Namespace = ns }, Spec = spec };
        var created = await Context.Api(r).CreateTriggerAsync(ns, trigger, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Trigger '{created.Metadata.Name}' created on broker '{created.Spec.Broker}', sending to {created.Status?.SubscriberUri}");
        return ExitCodes.Success;
    }
}

internal static class TriggerSinks
{
    public static Destination Parse(string text, string flag)
    {
        if (text.StartsWith("ksvc:", StringComparison.Ordinal))
        {
            // ksvc:NAME/path: the path goes in the destination's uri, which Knative resolves under the ref's URL.
            var rest = text[5..];
            var slash = rest.IndexOf('/');
            return new Destination
            {
                Ref = new KReference { ApiVersion = KnativeApi.ServingV1, Kind = "Service", Name = slash < 0 ? rest : rest[..slash] },
                Uri = slash < 0 ? null : rest[slash..],
            };
        }
        if (text.StartsWith("broker:", StringComparison.Ordinal))
            return new Destination { Ref = new KReference { ApiVersion = KnativeApi.EventingV1, Kind = "Broker", Name = text[7..] } };
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return new Destination { Uri = text };
        throw CliException.Usage($"{flag} takes ksvc:NAME[/path], broker:NAME or an http(s) URL, not '{text}'");
    }

    public static KeyValuePair<string, string> Pair(string text)
    {
        var i = text.IndexOf('=');
        if (i <= 0) throw CliException.Usage($"--filter takes KEY=VALUE, not '{text}'");
        return new(text[..i], text[(i + 1)..]);
    }

    public static string Describe(Destination? d) => d switch
    {
        null => "",
        { Ref: { } r } => $"{(r.Kind == "Broker" ? "broker" : "ksvc")}:{r.Name}{d.Uri}",
        _ => d.Uri ?? "",
    };
}

/// <summary><c>kinlet trigger list</c>: NAME, BROKER, SINK, AGE, READY, REASON.</summary>
internal sealed class TriggerListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the trigger list");

    protected override Command Create()
    {
        var command = new Command("list", "List triggers") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var triggers = await Context.Api(r).ListTriggersAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        triggers.Items = [.. triggers.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(triggers);
            return ExitCodes.Success;
        }
        if (triggers.Items.Count == 0)
        {
            output.Line("No triggers found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "BROKER", "SINK", "AGE", "READY", "REASON");
        foreach (var t in triggers.Items)
            table.Add(t.Metadata.Name, t.Spec.Broker, TriggerSinks.Describe(t.Spec.Subscriber), Age.Format(t.Metadata.CreationTimestamp, Context.Now),
                ResourceTables.ReadyStatus(t.Status?.Conditions), ResourceTables.ReadyReason(t.Status?.Conditions));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet trigger describe NAME</c>.</summary>
internal sealed class TriggerDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the trigger" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Trigger resource");

    protected override Command Create() => new("describe", "Show a trigger in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var t = await Context.Api(r).GetTriggerAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(t);
            return ExitCodes.Success;
        }
        var filters = t.Spec.Filters is { Count: > 0 } f
            ? string.Join("; ", f.Select(x => x.Cesql ?? (x.Exact is { } e ? string.Join(",", e.Select(p => $"{p.Key}={p.Value}")) : "(nested filter)")))
            : t.Spec.Filter?.Attributes is { Count: > 0 } a ? string.Join(",", a.Select(p => $"{p.Key}={p.Value}")) : "(none: every event)";
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", t.Metadata.Name)
            .Field("Namespace", t.Metadata.Namespace)
            .Field("Broker", t.Spec.Broker)
            .Field("Filter", filters)
            .Field("Sink", TriggerSinks.Describe(t.Spec.Subscriber))
            .Field("Sink URL", t.Status?.SubscriberUri)
            .Field("Delivery", DeliveryText(t.Spec.Delivery))
            .Field("Dead letter", t.Spec.Delivery?.DeadLetterSink is { } dls ? TriggerSinks.Describe(dls) : null)
            .Field("Delivered", Count(t.Status?.Delivered))
            .Field("Retrying", Count(t.Status?.Retrying))
            .Field("Dead-lettered", Count(t.Status?.DeadLettered))
            .Field("Failed", Count(t.Status?.Failed))
            .Field("Backlog", Count(t.Status?.Backlog))
            .Field("Last error", t.Status?.LastError)
            .Field("Age", Age.Format(t.Metadata.CreationTimestamp, Context.Now))
            .Section("Conditions", ResourceTables.Conditions(t.Status?.Conditions, Context.Now), whenEmpty: "(none reported yet)");
        return ExitCodes.Success;
    }

    private static string Count(long? n) => (n ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string DeliveryText(DeliverySpec? d) => d is null
        ? "broker's, else retry 10, exponential, PT0.2S"
        : $"retry {d.Retry ?? 10}, {d.BackoffPolicy ?? "exponential"}, {d.BackoffDelay ?? "PT0.2S"}{(d.Timeout is { } t ? ", timeout " + t : "")}";
}

/// <summary><c>kinlet trigger delete NAME</c>.</summary>
internal sealed class TriggerDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the trigger" };

    protected override Command Create() => new("delete", "Delete a trigger") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteTriggerAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Trigger '{n}' deleted.");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet trigger failed NAME</c>: the events the trigger gave up on (no dead-letter sink, or it failed too).</summary>
internal sealed class TriggerFailedVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the trigger" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the failed events");

    protected override Command Create() => new("failed", "List the events a trigger gave up on") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var failed = await Context.Api(r).GetTriggerFailedAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(failed);
            return ExitCodes.Success;
        }
        var items = failed.GetProperty("items");
        if (items.GetArrayLength() == 0)
        {
            output.Line("No failed events.");
            return ExitCodes.Success;
        }
        var table = new TableView("SEQ", "ID", "TYPE", "ATTEMPTS", "AGE", "LAST ERROR");
        foreach (var e in items.EnumerateArray())
            table.Add(e.GetProperty("sequence").ToString(), Text(e, "id"), Text(e, "type"), e.GetProperty("attempts").ToString(),
                Age.Format(e.GetProperty("failedAt").GetDateTimeOffset(), Context.Now), Text(e, "lastError"));
        output.Table(table);
        output.Line($"kinlet trigger redrive {r.GetValue(name)} sends them again.");
        return ExitCodes.Success;
    }

    private static string Text(System.Text.Json.JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : "";
}

/// <summary><c>kinlet trigger redrive NAME</c>: delivers the trigger's failed events again, with its full retry policy.</summary>
internal sealed class TriggerRedriveVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the trigger" };

    protected override Command Create() => new("redrive", "Deliver a trigger's failed events again") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        var result = await Context.Api(r).RedriveTriggerAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Trigger '{n}': {result.GetProperty("redriven").GetInt32()} failed event(s) sent for delivery again.");
        return ExitCodes.Success;
    }
}
