using System.CommandLine;

namespace Kinlet.Cli.Commands;

/// <summary><c>--no-wait</c> and <c>--wait-timeout</c>, for every verb that rolls out a service.</summary>
internal sealed class WaitOptions
{
    public const int DefaultTimeoutSeconds = 600;

    public Option<bool> NoWait { get; } = new("--no-wait")
    {
        Description = "Return once the daemon accepted the change; do not wait for Ready",
    };

    public Option<int> Timeout { get; } = new("--wait-timeout")
    {
        Description = "Seconds to wait for Ready before giving up",
        HelpName = "SECONDS",
        DefaultValueFactory = _ => DefaultTimeoutSeconds,
    };

    public void AddTo(Command command)
    {
        command.Add(NoWait);
        command.Add(Timeout);
    }

    public bool ShouldWait(ParseResult r) => !r.GetValue(NoWait);

    public TimeSpan GetTimeout(ParseResult r)
    {
        var seconds = r.GetValue(Timeout);
        if (seconds <= 0) throw CliException.Usage("--wait-timeout must be 1 second or more");
        return TimeSpan.FromSeconds(seconds);
    }
}
