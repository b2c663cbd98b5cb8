using System.CommandLine;
using System.Net;
using Kinlet.Cli.Api;
using Kinlet.Cli.Editing;

namespace Kinlet.Cli.Commands.Services;

/// <summary>
/// <c>kinlet service update NAME [template flags] [--traffic ...] [--tag ...] [--untag ...]</c>:
/// GET, change only what the flags name, PUT, then wait for the new generation like create.
/// </summary>
internal sealed class ServiceUpdateVerb(CliContext context) : Verb(context)
{
    /// <summary>Someone else may update between our GET and PUT; kn retries the same way.</summary>
    private const int Attempts = 3;

    private readonly Argument<string> name = new("NAME") { Description = "Name of the service" };
    private readonly TemplateOptions template = new();
    private readonly TrafficOptions traffic = new();
    private readonly WaitOptions wait = new();
    private readonly Option<string?> output = GlobalOptions.CreateOutput("the updated service");

    protected override Command Create()
    {
        var command = new Command("update", "Change a service's template or traffic and wait until it is ready") { name, output };
        template.AddTo(command);
        traffic.AddTo(command);
        wait.AddTo(command);
        return command;
    }

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var ns = Context.Namespace(r);
        var serviceName = r.GetValue(name)!;
        var edits = template.Read(r);
        var trafficEdits = traffic.Read(r);
        if (!edits.Any && !trafficEdits.Any)
            throw CliException.Usage("nothing to update: give a template flag (--image, --env, ...) or a traffic flag (--traffic, --tag, --untag)");
        var timeout = wait.GetTimeout(r);
        var output = Context.Output(r, this.output);
        var api = Context.Api(r);

        for (var attempt = 1; ; attempt++)
        {
            var service = await api.GetServiceAsync(ns, serviceName, ct).ConfigureAwait(false);
            var previous = service.Status?.LatestReadyRevisionName;
            TemplateEditor.Apply(service, edits);
            if (trafficEdits.Any)
            {
                var known = trafficEdits.Traffic.Count + trafficEdits.Tags.Count > 0
                    ? (await api.ListRevisionsAsync(ns, serviceName, ct).ConfigureAwait(false)).Items
                        .Select(x => x.Metadata.Name).OfType<string>().ToHashSet(StringComparer.Ordinal)
                    : [];
                service.Spec.Traffic = TrafficEditor.Compute(service.Spec.Traffic, trafficEdits, known, serviceName);
            }
            service.Status = null;

            Core.Model.Service updated;
            try
            {
                updated = await api.ReplaceServiceAsync(ns, serviceName, service, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Status == HttpStatusCode.Conflict && attempt < Attempts)
            {
                continue;
            }

            if (!wait.ShouldWait(r))
            {
                output.Line($"Service '{serviceName}' updated in namespace '{ns}'.");
                output.Resource(updated);
                return ExitCodes.Success;
            }
            var ready = await Context.Waiter(api).WaitForReadyAsync(ns, serviceName, updated.Metadata.Generation, timeout, ct).ConfigureAwait(false);
            output.Line(RolloutMessages.Done(ready, "updated", previous ?? ""));
            output.Resource(ready);
            return ExitCodes.Success;
        }
    }
}
