using Spectre.Console;

namespace Kinlet.Cli.Waiting;

/// <summary>The line that says what the CLI is waiting for; updated as the wait goes on.</summary>
internal interface IProgressStatus
{
    void Update(string message);
}

/// <summary>Shows progress on stderr while work runs: a spinner on a terminal, plain lines on a pipe.</summary>
internal interface IProgressDisplay
{
    Task<T> RunAsync<T>(string initial, Func<IProgressStatus, Task<T>> work);
}

internal static class ProgressDisplays
{
    public static IProgressDisplay For(CliHost host) =>
        host.StderrIsTerminal ? new SpinnerProgress(host.Stderr) : new PlainProgress(host.Stderr);
}

/// <summary>Spectre's status spinner, drawn on stderr so stdout stays the command's result.</summary>
internal sealed class SpinnerProgress(TextWriter stderr) : IProgressDisplay
{
    public Task<T> RunAsync<T>(string initial, Func<IProgressStatus, Task<T>> work)
    {
        // We chose the spinner because stderr is a terminal; Spectre would otherwise give up when only stdin is redirected.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr), Interactive = InteractionSupport.Yes });
        return console.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Markup.Escape(initial), ctx => work(new Status(ctx)));
    }

    private sealed class Status(StatusContext ctx) : IProgressStatus
    {
        public void Update(string message) => ctx.Status(Markup.Escape(message));
    }
}

/// <summary>One line per change of message: readable in CI logs, no control characters.</summary>
internal sealed class PlainProgress(TextWriter stderr) : IProgressDisplay
{
    public Task<T> RunAsync<T>(string initial, Func<IProgressStatus, Task<T>> work)
    {
        var status = new Status(stderr);
        status.Update(initial);
        return work(status);
    }

    private sealed class Status(TextWriter stderr) : IProgressStatus
    {
        private string? last;

        public void Update(string message)
        {
            if (message == last) return;
            last = message;
            stderr.WriteLine(message);
        }
    }
}
