namespace Kinlet.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real command line in-process with captured streams and a given environment.</summary>
public static class CliRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task<CliResult> RunAsync(FakeKinletd daemon, params string[] args) =>
        RunAsync(EnvFor(daemon), stdin: null, args);

    public static Dictionary<string, string?> EnvFor(FakeKinletd daemon) => new()
    {
        ["KINLET_API"] = daemon.Url,
        ["KINLET_TOKEN"] = FakeKinletd.Token,
    };

    public static async Task<CliResult> RunAsync(IDictionary<string, string?> env, string? stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var host = new CliHost(stdout, stderr, env)
        {
            Stdin = new StringReader(stdin ?? ""),
            PollInterval = TimeSpan.FromMilliseconds(20),
            // Nothing from the machine running the tests: no real token files, no terminal.
            IsRoot = false,
            HomeDirectory = "/nonexistent-home",
            SystemStateDir = "/nonexistent-state",
        };
        var code = await CliApp.RunAsync(args, host, CancellationToken.None).WaitAsync(Timeout);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
