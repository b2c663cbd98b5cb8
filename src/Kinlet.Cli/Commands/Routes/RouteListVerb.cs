using System.CommandLine;
using Kinlet.Cli.Output;

namespace Kinlet.Cli.Commands.Routes;

/// <summary><c>kinlet route list</c>: NAME, URL, AGE, READY, REASON.</summary>
internal sealed class RouteListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the route list");

    protected override Command Create()
    {
        var command = new Command("list", "List routes") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var routes = await Context.Api(r).ListRoutesAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        routes.Items = [.. routes.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(routes);
            return ExitCodes.Success;
        }
        if (routes.Items.Count == 0)
        {
            output.Line("No routes found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "URL", "AGE", "READY", "REASON");
        foreach (var route in routes.Items)
            table.Add(route.Metadata.Name, route.Status?.Url, Age.Format(route.Metadata.CreationTimestamp, Context.Now),
                ResourceTables.ReadyStatus(route.Status?.Conditions), ResourceTables.ReadyReason(route.Status?.Conditions));
        output.Table(table);
        return ExitCodes.Success;
    }
}
