using System.CommandLine;
using Kinlet.Cli.Output;

namespace Kinlet.Cli.Commands.Services;

/// <summary><c>kinlet service list [-A]</c>: NAME, URL, LATEST, AGE, READY, REASON.</summary>
internal sealed class ServiceListVerb(CliContext context) : Verb(context)
{
    private readonly Option<bool> all = GlobalOptions.CreateAllNamespaces();
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the service list");

    protected override Command Create()
    {
        var command = new Command("list", "List services") { all, output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var allNamespaces = r.GetValue(all);
        var output = Context.Output(r, this.output);
        var list = await Context.Api(r).ListServicesAsync(allNamespaces ? null : Context.Namespace(r), ct).ConfigureAwait(false);
        list.Items = [.. list.Items.OrderBy(s => s.Metadata.Namespace, StringComparer.Ordinal).ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(list);
            return ExitCodes.Success;
        }
        if (list.Items.Count == 0)
        {
            output.Line("No services found.");
            return ExitCodes.Success;
        }
        output.Table(Render(list.Items, allNamespaces, Context.Now));
        return ExitCodes.Success;
    }

    internal static TableView Render(IEnumerable<Core.Model.Service> services, bool withNamespace, DateTimeOffset now)
    {
        string[] headers = ["NAME", "URL", "LATEST", "AGE", "READY", "REASON"];
        var table = new TableView(withNamespace ? ["NAMESPACE", .. headers] : headers);
        foreach (var s in services)
        {
            string?[] cells =
            [
                s.Metadata.Name, s.Status?.Url, s.Status?.LatestCreatedRevisionName, Age.Format(s.Metadata.CreationTimestamp, now),
                ResourceTables.ReadyStatus(s.Status?.Conditions), ResourceTables.ReadyReason(s.Status?.Conditions),
            ];
            table.Add(withNamespace ? [s.Metadata.Namespace, .. cells] : cells);
        }
        return table;
    }
}
