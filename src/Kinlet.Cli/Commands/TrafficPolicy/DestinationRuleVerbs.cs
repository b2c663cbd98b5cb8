using System.CommandLine;
using Kinlet.Cli.Output;
using Kinlet.Core.Serving;

namespace Kinlet.Cli.Commands.TrafficPolicy;

/// <summary><c>kinlet dr list</c>: NAME, HOST, SUBSETS, LOAD BALANCER, AGE.</summary>
internal sealed class DestinationRuleListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the DestinationRule list");

    protected override Command Create()
    {
        var command = new Command("list", "List destination rules") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var list = await Context.Api(r).ListDestinationRulesAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(list);
            return ExitCodes.Success;
        }
        if (list.Items.Count == 0)
        {
            output.Line("No destination rules found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "HOST", "SUBSETS", "LOAD BALANCER", "AGE");
        foreach (var dr in list.Items)
            table.Add(dr.Metadata.Name, dr.Spec.Host, string.Join(",", dr.Spec.Subsets?.Select(s => s.Name) ?? []),
                IstioRuleText.LoadBalancer(dr.Spec.TrafficPolicy?.LoadBalancer), Age.Format(dr.Metadata.CreationTimestamp, Context.Now));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet dr describe NAME</c>: host, balancing, and each subset's labels.</summary>
internal sealed class DestinationRuleDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the destination rule" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the DestinationRule resource");

    protected override Command Create() => new("describe", "Show a destination rule and its subsets") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var dr = await Context.Api(r).GetDestinationRuleAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(dr);
            return ExitCodes.Success;
        }
        var subsets = new TableView("SUBSET", "LABELS", "LOAD BALANCER");
        foreach (var s in dr.Spec.Subsets ?? [])
            subsets.Add(s.Name, string.Join(",", s.Labels?.Select(l => l.Key + "=" + l.Value) ?? []),
                s.TrafficPolicy?.LoadBalancer is { } lb ? IstioRuleText.LoadBalancer(lb) : "(host's)");
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", dr.Metadata.Name)
            .Field("Namespace", dr.Metadata.Namespace)
            .Field("Host", dr.Spec.Host)
            .Field("Load balancer", IstioRuleText.LoadBalancer(dr.Spec.TrafficPolicy?.LoadBalancer))
            .Field("Age", Age.Format(dr.Metadata.CreationTimestamp, Context.Now))
            .Section("Subsets", subsets, whenEmpty: "(none)");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet dr delete NAME</c>.</summary>
internal sealed class DestinationRuleDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the destination rule" };

    protected override Command Create() => new("delete", "Delete a destination rule") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteDestinationRuleAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"DestinationRule '{n}' deleted.");
        return ExitCodes.Success;
    }
}
