using System.CommandLine;

namespace Kinlet.Cli.Commands.Revisions;

/// <summary><c>kinlet revision delete NAME...</c>; the daemon refuses (409) while traffic is routed to it.</summary>
internal sealed class RevisionDeleteVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string[]> names = new("NAME") { Description = "Revisions to delete", Arity = ArgumentArity.OneOrMore };

    protected override Command Create()
    {
        var command = new Command("delete", "Delete revisions that get no traffic") { names };
        command.Aliases.Add("rm");
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var api = Context.Api(r);
        foreach (var revision in r.GetValue(names)!)
        {
            await api.DeleteRevisionAsync(ns, revision, ct).ConfigureAwait(false);
            Context.Host.Stdout.WriteLine($"Revision '{revision}' deleted in namespace '{ns}'.");
        }
        return ExitCodes.Success;
    }
}
