using System.CommandLine;
using Kinlet.Cli.Api;
using Kinlet.Core;

namespace Kinlet.Cli.Commands.Logs;

/// <summary>
/// <c>kinlet logs NAME [-f] [--revision R] [--container C] [--since 5m] [--tail N] [-o json]</c>: every instance's output with the
/// instance as a prefix (instance/container for a sidecar's or init container's lines), the last lines of instances already gone, and kinletd's lines about the service
/// (scaled, ready, failed, restarted). With <c>-f</c> it keeps going, instances that start later included, until Ctrl-C.
/// </summary>
internal sealed class LogsVerb(CliContext context) : Verb(context)
{
    private readonly Argument<string> name = new("NAME") { Description = "The service" };
    private readonly Option<bool> follow = new("--follow", "-f") { Description = "Keep printing new lines, of instances that start later too, until Ctrl-C" };
    private readonly Option<string?> revision = new("--revision") { Description = "Only this revision's instances (and kinletd's lines about it)", HelpName = "REVISION" };
    private readonly Option<string?> since = new("--since") { Description = "Only lines of the last so long: 30s, 5m, 1h", HelpName = "DURATION" };
    private readonly Option<string?> container = new("--container", "-c")
    {
        Description = "Only this container's lines (the serving container, a sidecar or an init container, by name); default: every container, a sidecar's or init container's lines prefixed INSTANCE/CONTAINER",
        HelpName = "NAME",
    };
    private readonly Option<int?> tail = new("--tail") { Description = "Only the last N lines of each instance (and of kinletd's) before following", HelpName = "N" };
    private readonly Option<string?> output = new Option<string?>("--output", "-o")
    {
        Description = "json: the daemon's NDJSON, one object per line ({time, instance, revision, stream, source, line})",
        HelpName = "json",
    }.AcceptOnlyFromAmong("json");

    protected override Command Create() =>
        new("logs", "Print the logs of a service's instances, and kinletd's lines about it") { name, follow, revision, container, since, tail, output };

    protected override async Task<int> ExecuteAsync(ParseResult r, CancellationToken ct)
    {
        var service = r.GetValue(name)!;
        var sinceText = r.GetValue(since);
        long? sinceSeconds = sinceText is null ? null : ParseSince(sinceText);
        if (r.GetValue(tail) is < 0) throw CliException.Usage("--tail: must be 0 or more");
        var query = new LogsQuery(r.GetValue(follow), r.GetValue(revision), sinceSeconds, r.GetValue(tail), r.GetValue(container));
        var raw = r.GetValue(output) is not null;
        var formatter = new LogLineFormatter(UseColour(Context.Host));
        var stdout = Context.Host.Stdout;

        var api = Context.Api(r);
        await foreach (var line in api.StreamServiceLogsAsync(Context.Namespace(r), service, query, ct).ConfigureAwait(false))
        {
            if (raw) await stdout.WriteLineAsync(line).ConfigureAwait(false);
            else foreach (var text in formatter.Format(line)) await stdout.WriteLineAsync(text).ConfigureAwait(false);
            // Lines show as they come, not when a buffer fills.
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return ExitCodes.Success;
    }

    /// <summary><c>--since</c> as Go writes durations (30s, 5m, 1h30m), in whole seconds for the API (rounded up).</summary>
    internal static long ParseSince(string text)
    {
        if (!GoDuration.TryParse(text.Trim(), out var duration) || duration <= TimeSpan.Zero)
            throw CliException.Usage($"--since: '{text}' is not a duration such as 30s, 5m or 1h");
        return (long)Math.Ceiling(duration.TotalSeconds);
    }

    /// <summary>Colour only for a person at a terminal, and never with NO_COLOR (no-color.org) or TERM=dumb.</summary>
    internal static bool UseColour(CliHost host) =>
        host.StdoutIsTerminal && host.GetEnv("NO_COLOR") is null && host.GetEnv("TERM") is not "dumb";
}
