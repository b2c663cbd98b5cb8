using Kinlet.Core.Settings;
using Microsoft.Extensions.Options;

namespace Kinlet.Containers.Docker;

/// <summary>Checks <see cref="DockerRuntimeOptions"/> when kinletd starts: the engine endpoint and the call bounds.</summary>
public sealed class DockerRuntimeOptionsValidation : IValidateOptions<DockerRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, DockerRuntimeOptions o)
    {
        // The endpoint is the daemon's own key (--docker-host); the bounds live under Kinlet:Docker.
        var host = new SettingRules("Kinlet")
            .Check(string.IsNullOrWhiteSpace(o.DockerHost) || Uri.TryCreate(o.DockerHost, UriKind.Absolute, out _), nameof(o.DockerHost),
                "must be an engine URI such as unix:///var/run/docker.sock or tcp://127.0.0.1:2375", $"\"{o.DockerHost}\"");
        var bounds = new SettingRules(DockerRuntimeOptions.Section)
            .Positive(nameof(o.CallTimeout), o.CallTimeout)
            .Positive(nameof(o.PullTimeout), o.PullTimeout)
            .Positive(nameof(o.BuildTimeout), o.BuildTimeout);
        var result = new ValidateOptionsResultBuilder();
        foreach (var error in host.Errors.Concat(bounds.Errors)) result.AddError(error);
        return result.Build();
    }
}
