using System.CommandLine;
using Kinlet.Cli.Editing;

namespace Kinlet.Cli.Commands.Services;

/// <summary>The revision-template flags shared by <c>service create</c> and <c>service update</c>, named as in kn.</summary>
internal sealed class TemplateOptions
{
    public Option<string?> Image { get; } = new("--image") { Description = "Container image to run", HelpName = "IMAGE" };

    public Option<string[]> Env { get; } = Many("--env", "-e", "Environment variable KEY=VALUE; KEY- removes it", "KEY=VALUE");
    public Option<string[]> EnvSecret { get; } = Many("--env-secret", null, "Environment variable from a secret, KEY=SECRET:KEY (its value is never shown)", "VAR=SECRET:KEY");

    public Option<string[]> EnvFrom { get; } = Many("--env-from", null,
        "Every key of a config map or secret as env, configmap:NAME (or cm:NAME) or secret:NAME; NAME- removes it", "KIND:NAME");

    public Option<string?> Port { get; } = new("--port", "-p")
    {
        Description = "Port the container listens on (h2c:PORT for HTTP/2 cleartext)",
        HelpName = "PORT",
    };

    public Option<string[]> Annotation { get; } = Many("--annotation", "-a", "Annotation for the service and its revisions; KEY- removes it", "KEY=VALUE");
    public Option<string[]> Label { get; } = Many("--label", "-l", "Label for the service and its revisions; KEY- removes it", "KEY=VALUE");

    public Option<string?> RevisionName { get; } = new("--revision-name")
    {
        Description = "Name of the new revision; must start with the service name and a dash",
        HelpName = "NAME",
    };

    public Option<int?> ScaleMin { get; } = new("--scale-min") { Description = "Minimum instances (autoscaling.knative.dev/min-scale)", HelpName = "N" };
    public Option<int?> ScaleMax { get; } = new("--scale-max") { Description = "Maximum instances, 0 for no limit (autoscaling.knative.dev/max-scale)", HelpName = "N" };
    public Option<int?> ScaleInit { get; } = new("--scale-init") { Description = "Instances to start with (autoscaling.knative.dev/initial-scale)", HelpName = "N" };

    public Option<long?> ConcurrencyLimit { get; } = new("--concurrency-limit")
    {
        Description = "Hard limit of requests in flight per instance, 0 for none (containerConcurrency)",
        HelpName = "N",
    };

    public Option<int?> ConcurrencyTarget { get; } = new("--concurrency-target")
    {
        Description = "Requests in flight per instance the autoscaler aims for (autoscaling.knative.dev/target)",
        HelpName = "N",
    };

    public Option<string[]> Limit { get; } = Many("--limit", null, "Resource limit, e.g. cpu=500m or memory=256Mi; KEY- removes it", "KEY=VALUE");
    public Option<string[]> Request { get; } = Many("--request", null, "Resource request, e.g. cpu=100m; KEY- removes it", "KEY=VALUE");
    public Option<string[]> Cmd { get; } = Many("--cmd", null, "Entrypoint instead of the image's, one word per flag", "COMMAND");
    public Option<string[]> Arg { get; } = Many("--arg", null, "Argument for the entrypoint, one per flag", "ARG");
    public Option<string?> WorkingDir { get; } = new("--working-dir") { Description = "Working directory of the container", HelpName = "DIR" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
                 {
                     Image, Env, EnvSecret, EnvFrom, Port, Annotation, Label, RevisionName, ScaleMin, ScaleMax, ScaleInit,
                     ConcurrencyLimit, ConcurrencyTarget, Limit, Request, Cmd, Arg, WorkingDir,
                 })
            command.Add(option);
    }

    public TemplateEdits Read(ParseResult r) => new()
    {
        Image = r.GetValue(Image),
        Env = r.GetValue(Env) ?? [],
        EnvSecrets = r.GetValue(EnvSecret) ?? [],
        EnvFrom = r.GetValue(EnvFrom) ?? [],
        Port = r.GetValue(Port),
        Annotations = r.GetValue(Annotation) ?? [],
        Labels = r.GetValue(Label) ?? [],
        RevisionName = r.GetValue(RevisionName),
        ScaleMin = r.GetValue(ScaleMin),
        ScaleMax = r.GetValue(ScaleMax),
        ScaleInit = r.GetValue(ScaleInit),
        ConcurrencyLimit = r.GetValue(ConcurrencyLimit),
        ConcurrencyTarget = r.GetValue(ConcurrencyTarget),
        Limits = r.GetValue(Limit) ?? [],
        Requests = r.GetValue(Request) ?? [],
        Cmd = r.GetValue(Cmd) ?? [],
        Args = r.GetValue(Arg) ?? [],
        WorkingDir = r.GetValue(WorkingDir),
    };

    /// <summary>A repeatable flag: one value per occurrence, so <c>--env A=1 NAME</c> never swallows NAME.</summary>
    internal static Option<string[]> Many(string name, string? alias, string description, string helpName)
    {
        var option = alias is null ? new Option<string[]>(name) : new Option<string[]>(name, alias);
        option.Description = description + " (repeatable)";
        option.HelpName = helpName;
        option.AllowMultipleArgumentsPerToken = false;
        return option;
    }
}
