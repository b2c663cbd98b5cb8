using System.CommandLine;
using Kinlet.Cli.Output;

namespace Kinlet.Cli.Commands.Routes;

/// <summary><c>kinlet route describe NAME</c>: URL, traffic targets, conditions.</summary>
internal sealed class RouteDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the route (the service's name)" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Route resource");

    protected override Command Create() => new("describe", "Show a route in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var route = await Context.Api(r).GetRouteAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(route);
            return ExitCodes.Success;
        }
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", route.Metadata.Name)
            .Field("Namespace", route.Metadata.Namespace)
            .Field("URL", route.Status?.Url)
            .Field("Age", Age.Format(route.Metadata.CreationTimestamp, Context.Now))
            .Section("Traffic", ResourceTables.Traffic(route.Status?.Traffic ?? route.Spec.Traffic), whenEmpty: "(none)")
            .Section("Conditions", ResourceTables.Conditions(route.Status?.Conditions, Context.Now), whenEmpty: "(none reported yet)");
        return ExitCodes.Success;
    }
}
