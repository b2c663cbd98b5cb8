namespace Kinlet.Cli;

/// <summary>
/// A failure the user should read as one line (<c>Error: message</c>), with the exit code it maps to.
/// <see cref="Details"/> are extra lines (e.g. a container's last log lines), printed indented below it.
/// </summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure, IReadOnlyList<string>? details = null)
    : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
