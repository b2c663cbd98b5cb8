namespace Kinlet.Cli;

/// <summary>
/// The process edges the CLI touches: streams, environment, who we run as. Program.Main fills it from
/// the real process; tests pass writers and a dictionary, so nothing reads global state.
/// </summary>
public sealed class CliHost
{
    public CliHost(TextWriter stdout, TextWriter stderr, IDictionary<string, string?> env)
    {
        Stdout = stdout;
        Stderr = stderr;
        Env = new Dictionary<string, string?>(env, StringComparer.Ordinal);
    }

    public TextWriter Stdout { get; }
    public TextWriter Stderr { get; }
    public IReadOnlyDictionary<string, string?> Env { get; }

    /// <summary>Read by <c>apply -f -</c> and <c>invoke -d @-</c>.</summary>
    public TextReader Stdin { get; init; } = TextReader.Null;

    /// <summary>Raw stdout for response bodies (binary-safe); when null, bodies are decoded as UTF-8 into <see cref="Stdout"/>.</summary>
    public Stream? StdoutStream { get; init; }

    /// <summary>Spinners only when a person watches stderr; plain progress lines otherwise.</summary>
    public bool StderrIsTerminal { get; init; }

    /// <summary>Colour (e.g. <c>kinlet logs</c>' prefixes) only when a person reads stdout.</summary>
    public bool StdoutIsTerminal { get; init; }

    /// <summary>Width for tables on a terminal; null when stdout is a pipe (then tables never wrap).</summary>
    public int? TerminalWidth { get; init; }

    /// <summary>Root reads the system state dir (<c>/var/lib/kinlet</c>) first, like the daemon it runs.</summary>
    public bool IsRoot { get; init; }

    public string? HomeDirectory { get; init; }

    /// <summary>Where kinletd keeps its state when run as a system service.</summary>
    public string SystemStateDir { get; init; } = "/var/lib/kinlet";

    /// <summary>How often waiting verbs poll the daemon.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Ctrl-C / SIGTERM cancel the running verb; off in tests, where there is no process to signal.</summary>
    public bool HandleSignals { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string? GetEnv(string name) =>
        Env.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
}
