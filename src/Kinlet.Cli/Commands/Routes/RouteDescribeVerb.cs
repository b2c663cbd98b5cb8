using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Kinlet.Cli.Api;
using Kinlet.Cli.Output;

namespace Kinlet.Cli.Commands.Routes;

/// <summary>
/// <c>kinlet route describe NAME</c>: URL, traffic targets, conditions, and the effective rules of the service's
/// VirtualService in order (first match wins) with the requests each took; <c>-o json|yaml</c> adds them as <c>routing</c>.
/// </summary>
internal sealed class RouteDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the route (the service's name)" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Route resource");

    protected override Command Create() => new("describe", "Show a route in detail, with the effective traffic rules in order") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);
        var ns = Context.Namespace(r);
        var n = r.GetValue(name)!;
        var route = await api.GetRouteAsync(ns, n, ct).ConfigureAwait(false);
        JsonElement? routing = null;
        try
        {
            routing = await api.GetRoutingAsync(ns, n, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            // An older kinletd, or a route without its service: the Route alone.
        }
        if (output.IsMachine)
        {
            if (routing is null)
            {
                output.Resource(route);
                return ExitCodes.Success;
            }
            var node = System.Text.Json.Nodes.JsonNode.Parse(Core.Json.KinletJson.Serialize(route))!.AsObject();
            node["routing"] = System.Text.Json.Nodes.JsonNode.Parse(routing.Value.GetRawText());
            output.Resource(node);
            return ExitCodes.Success;
        }
        var writer = new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", route.Metadata.Name)
            .Field("Namespace", route.Metadata.Namespace)
            .Field("URL", route.Status?.Url)
            .Field("Age", Age.Format(route.Metadata.CreationTimestamp, Context.Now))
            .Section("Traffic", ResourceTables.Traffic(route.Status?.Traffic ?? route.Spec.Traffic), whenEmpty: "(none)");
        if (routing is { } view)
        {
            var vs = Str(view, "virtualService");
            var dr = Str(view, "destinationRule");
            writer.Field("Rules from", vs ?? "(none: every request takes the traffic split above)")
                .Field("Dest. rule", dr ?? "(none)")
                .Field("Balancing", Str(view, "loadBalancer"))
                .Field("Tag header", view.TryGetProperty("tagHeaderRouting", out var th) && th.GetBoolean()
                    ? "Knative-Serving-Tag: " + string.Join(" | ", view.GetProperty("tags").EnumerateArray().Select(t => t.GetString())) + " picks that tag's revision when a request goes to the service itself"
                    : "(no tags)");
            if (vs is not null)
            {
                var rules = new TableView("#", "NAME", "MATCH", "ACTION", "POLICY", "EVENTS", "REQUESTS");
                foreach (var rule in view.GetProperty("rules").EnumerateArray())
                    rules.Add(rule.GetProperty("index").GetInt32().ToString(CultureInfo.InvariantCulture), Str(rule, "name"), Str(rule, "match"), Str(rule, "action"),
                        Str(rule, "policy") ?? "-", Str(rule, "events") ?? "-", rule.GetProperty("requests").GetInt64().ToString(CultureInfo.InvariantCulture));
                if (view.TryGetProperty("unmatched", out var u) && u.ValueKind == JsonValueKind.Number)
                    rules.Add("-", "(no match)", "none of the above", "404", "-", "-", u.GetInt64().ToString(CultureInfo.InvariantCulture));
                writer.Section("Rules (first match wins)", rules, whenEmpty: "(none)");
            }
        }
        writer.Section("Conditions", ResourceTables.Conditions(route.Status?.Conditions, Context.Now), whenEmpty: "(none reported yet)");
        return ExitCodes.Success;
    }

    private static string? Str(JsonElement e, string property) =>
        e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
