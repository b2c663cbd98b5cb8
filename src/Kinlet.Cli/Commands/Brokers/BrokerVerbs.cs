using System.CommandLine;
using Kinlet.Cli.Output;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Brokers;

/// <summary><c>kinlet broker create NAME</c>: a durable broker; prints its ingress URL.</summary>
internal sealed class BrokerCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the broker" };

    protected override Command Create() => new("create", "Create a broker (its events are stored durably)") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var broker = new Broker { Metadata = new ObjectMeta { Name = r.GetValue(name), Namespace = ns } };
        var created = await Context.Api(r).CreateBrokerAsync(ns, broker, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Broker '{created.Metadata.Name}' created; send events to {created.Status?.Address?.Url}");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet broker list</c>: NAME, URL, AGE, READY.</summary>
internal sealed class BrokerListVerb(CliContext context) : Verb(context)
{
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the broker list");

    protected override Command Create()
    {
        var command = new Command("list", "List brokers") { output };
        command.Aliases.Add("ls");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var brokers = await Context.Api(r).ListBrokersAsync(Context.Namespace(r), ct).ConfigureAwait(false);
        brokers.Items = [.. brokers.Items.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal)];
        if (output.IsMachine)
        {
            output.Resource(brokers);
            return ExitCodes.Success;
        }
        if (brokers.Items.Count == 0)
        {
            output.Line("No brokers found.");
            return ExitCodes.Success;
        }
        var table = new TableView("NAME", "URL", "AGE", "READY");
        foreach (var b in brokers.Items)
            table.Add(b.Metadata.Name, b.Status?.Address?.Url, Age.Format(b.Metadata.CreationTimestamp, Context.Now), ResourceTables.ReadyStatus(b.Status?.Conditions));
        output.Table(table);
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet broker describe NAME</c>.</summary>
internal sealed class BrokerDescribeVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the broker" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the Broker resource");

    protected override Command Create() => new("describe", "Show a broker in detail") { name, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var output = Context.Output(r, this.output);
        var broker = await Context.Api(r).GetBrokerAsync(Context.Namespace(r), r.GetValue(name)!, ct).ConfigureAwait(false);
        if (output.IsMachine)
        {
            output.Resource(broker);
            return ExitCodes.Success;
        }
        new DescribeWriter(output.Human, Context.Host.TerminalWidth)
            .Field("Name", broker.Metadata.Name)
            .Field("Namespace", broker.Metadata.Namespace)
            .Field("URL", broker.Status?.Address?.Url)
            .Field("Age", Age.Format(broker.Metadata.CreationTimestamp, Context.Now))
            .Section("Conditions", ResourceTables.Conditions(broker.Status?.Conditions, Context.Now), whenEmpty: "(none reported yet)");
        return ExitCodes.Success;
    }
}

/// <summary><c>kinlet broker delete NAME</c>.</summary>
internal sealed class BrokerDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the broker" };

    protected override Command Create() => new("delete", "Delete a broker") { name };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var n = r.GetValue(name)!;
        await Context.Api(r).DeleteBrokerAsync(Context.Namespace(r), n, ct).ConfigureAwait(false);
        Context.Output(r, null).Line($"Broker '{n}' deleted.");
        return ExitCodes.Success;
    }
}
