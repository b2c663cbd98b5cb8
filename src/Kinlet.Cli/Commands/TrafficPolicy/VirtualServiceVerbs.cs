using System.CommandLine;
using System.Globalization;
using Kinlet.Cli.Output;
using Kinlet.Core.Serving;

namespace Kinlet.Cli.Commands.TrafficPolicy;

/// <summary><c>kinlet vs list</c>: NAME, HOSTS, RULES, AGE.</summary>
internal sealed class VirtualServiceListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the VirtualService list");

    protected override Command Create()
    {
        var command = new Command("list", "List virtual services") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var list = await Context.Api(r).ListVirtualServicesAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(list);
            return ExitCodes.Success;
        }
        if (list.Items.Count == 0)
        {
            output.Line("No virtual services found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "HOSTS", "RULES", "AGE");
        foreach (var vs in list.Items)
            table.Add(vs.Metadata.Name, string.Join(",", vs.Spec.Hosts ?? []), (vs.Spec.Http?.Count ?? 0).ToString(CultureInfo.InvariantCulture),
                Age.Format(vs.Metadata.CreationTimestamp, Context.Now));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet vs describe NAME</c>: hosts and the rules in order (what each matches, where it sends).</summary>
internal sealed class VirtualServiceDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the virtual service" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the VirtualService resource");

    protected override Command Create() => new("describe", "Show a virtual service and its rules in order") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var vs = await Context.Api(r).GetVirtualServiceAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(vs);
            return ExitCodes.Success;
        }
        var rules = new TableView("#", "NAME", "MATCH", "ACTION");
        var http = vs.Spec.Http ?? [];
        for (var i = 0; i < http.Count; i++)
            rules.Add(i.ToString(CultureInfo.InvariantCulture), http[i].Name, IstioRuleText.Match(http[i].Match), IstioRuleText.Action(http[i]));
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", vs.Metadata.Name)
            .Field("Namespace", vs.Metadata.Namespace)
            .Field("Hosts", string.Join(", ", vs.Spec.Hosts ?? []))
            .Field("Age", Age.Format(vs.Metadata.CreationTimestamp, Context.Now))
            .Section("Rules (first match wins)", rules, whenEmpty: "(none)");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet vs delete NAME</c>.</summary>
internal sealed class VirtualServiceDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the virtual service" };

    protected override Command Create() => new("delete", "Delete a virtual service (its hosts go back to the services' own traffic split)") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteVirtualServiceAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"VirtualService '{n}' deleted.");
        return ExitCodes.Success;
    }
}
