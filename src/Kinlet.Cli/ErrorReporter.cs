using System.Net;
using Kinlet.Cli.Api;
using Kinlet.Core.Manifests;
using Kinlet.Core.Validation;

namespace Kinlet.Cli;

/// <summary>One line on stderr and an exit code for whatever went wrong. The only place error text is chosen.</summary>
internal static class ErrorReporter
{
    internal sealed record Report(int ExitCode, string Line, IReadOnlyList<string> Details);

    /// <param name="tokenPath">The token file to name when the daemon refuses the token.</param>
    public static Report Describe(Exception error, string? tokenPath)
    {
        switch (error)
        {
            case DaemonUnreachableException u:
                return new(ExitCodes.Unreachable,
                    $"Error: kinletd is not answering at {u.ApiUrl}. Start it with 'kinletd' (or ./install.sh), or point KINLET_API at it.", []);
            case ApiException { Status: HttpStatusCode.Unauthorized }:
                return new(ExitCodes.Unauthorized,
                    $"Error: kinletd refused the token (401). It is in {tokenPath ?? "the daemon's state dir"} (readable by its owner only); run as that user or set KINLET_TOKEN.", []);
            case ApiException a:
                var prefix = a.Context is null ? "" : a.Context + ": ";
                var what = a.Field is null ? a.Message : $"{a.Field}: {a.Message}";
                return Multiline(ExitCodeFor(a.Status), "Error: " + prefix + what);
            case CliException c:
                var report = Multiline(c.ExitCode, "Error: " + c.Message);
                return report with { Details = [.. report.Details, .. c.Details] };
            case ValidationException v:
                return new(ExitCodes.Usage, "Error: " + (v.Field is { Length: > 0 } f ? $"{f}: {v.Errors[0].Message}" : v.Message), []);
            case ManifestException m:
                return new(ExitCodes.Usage, "Error: " + m.Message, []);
            case OperationCanceledException:
                return new(ExitCodes.Canceled, "Error: canceled", []);
            default:
                return Multiline(ExitCodes.Failure, $"Error: {error.Message}");
        }
    }

    public static int ExitCodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthorized,
        HttpStatusCode.NotFound => ExitCodes.NotFound,
        HttpStatusCode.Conflict => ExitCodes.Conflict,
        _ => ExitCodes.Failure,
    };

    /// <summary>The first line is the error; anything after it (a log tail in a message) follows, indented.</summary>
    private static Report Multiline(int exitCode, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var details = lines.Skip(1).Where(l => l.Trim().Length > 0).Select(l => "  " + l.TrimEnd()).ToArray();
        return new(exitCode, lines[0].TrimEnd(), details);
    }
}
