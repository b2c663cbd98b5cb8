using System.CommandLine;

namespace Kinlet.Cli.Commands;

/// <summary>
/// One verb (<c>service create</c>, <c>apply</c>, ...): it declares its command and options, and runs.
/// Failures are thrown; <see cref="CliApp"/> turns them into one line and an exit code.
/// </summary>
internal abstract class Verb(CliContext context)
{
    protected CliContext Context { get; } = context;

    public Command Build()
    {
        var command = Create();
        command.SetAction(ExecuteAsync);
        return command;
    }

    protected abstract Command Create();

    protected abstract Task<int> ExecuteAsync(ParseResult result, CancellationToken ct);
}
