using System.CommandLine;
using System.Net;
using Kinlet.Cli.Api;
using Kinlet.Cli.Editing;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Commands.Services;

/// <summary><c>kinlet service create NAME --image IMG ...</c>: POST, then wait for Ready like kn.</summary>
internal sealed class ServiceCreateVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "Name of the service" };
    private readonly TemplateOptions template = new();
    private readonly WaitOptions wait = new();
    private readonly Option<bool> force = new("--force") { Description = "Replace the service when it exists already" };
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the created service");

    protected override Command Create()
    {
        var command = new Command("create", "Create a service and wait until it is ready") { name, force, output };
        template.AddTo(command);
        wait.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var serviceName = r.GetValue(name)!;
        var service = TemplateEditor.NewService(serviceName, ns, template.Read(r));
        var timeout = wait.GetTimeout(r);
        var output = Context.Output(r, output: this.output);
        var api = Context.Api(r);

        Core.Model.Service created;
        var verb = "created";
        try
        {
            created = await api.CreateServiceAsync(ns, service, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.Conflict)
        {
            if (!r.GetValue(force))
                throw new CliException($"service '{serviceName}' already exists in namespace '{ns}'; use --force to replace it, or 'kinlet service update {serviceName}'", ExitCodes.Conflict);
            var existing = await api.GetServiceAsync(ns, serviceName, ct).ConfigureAwait(false);
            service.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            created = await api.ReplaceServiceAsync(ns, serviceName, service, ct).ConfigureAwait(false);
            verb = "replaced";
        }

        if (!wait.ShouldWait(r))
        {
            output.Line($"Service '{serviceName}' {verb} in namespace '{ns}'.");
            output.Resource(created);
            return ExitCodes.Success;
        }
        var ready = await Context.Waiter(api).WaitForReadyAsync(ns, serviceName, created.Metadata.Generation, timeout, ct).ConfigureAwait(false);
        output.Line(RolloutMessages.Done(ready, verb, previousRevision: null));
        output.Resource(ready);
        return ExitCodes.Success;
    }
}
