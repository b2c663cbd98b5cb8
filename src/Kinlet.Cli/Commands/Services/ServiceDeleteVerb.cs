using System.CommandLine;

namespace Kinlet.Cli.Commands.Services;

/// <summary><c>kinlet service delete NAME...</c>: returns once the daemon has stopped the service's containers.</summary>
internal sealed class ServiceDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string[]> names = new("NAME") { Description = "Services to delete", Arity = ArgumentArity.OneOrMore };

    protected override Command Create()
    {
        var command = new Command("delete", "Delete services and stop their containers") { names };
        command.Aliases.Add("rm");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var api = Context.Api(r);
        foreach (var serviceName in r.GetValue(names)!)
        {
            await Context.Progress().RunAsync($"deleting service {serviceName} and stopping its containers", async _ =>
            {
                await api.DeleteServiceAsync(ns, serviceName, ct).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            Context.Host.Stdout.WriteLine($"Service '{serviceName}' successfully deleted in namespace '{ns}'.");
        }
        return ExitCodes.Success;
    }
}
