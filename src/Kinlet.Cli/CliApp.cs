using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Net;
using Kinlet.Cli.Commands;

namespace Kinlet.Cli;

/// <summary>The whole CLI as a function of (args, streams, environment) → exit code; Program.Main only fills in the process.</summary>
public static class CliApp
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, IDictionary<string, string?> env,
        CancellationToken ct = default) =>
        RunAsync(args, new CliHost(stdout, stderr, env)
        {
            IsRoot = Environment.IsPrivilegedProcess,
            HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        }, ct);

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken ct)
    {
        using var http = CreateHttpClient();
        var context = new CliContext(host, http, new GlobalOptions());
        var root = CommandTree.Build(context);

        // No response files: "@file" is curl's "data from a file" for `invoke -d`, not a list of arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            host.Stderr.WriteLine($"Error: {OneLine(parse.Errors[0].Message)}. See '{CommandPath(parse.CommandResult)} --help'.");
            await host.Stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = host.Stdout,
                Error = host.Stderr,
                // Errors are reported below, as one line, not as a stack trace.
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = host.HandleSignals ? TimeSpan.FromSeconds(2) : null,
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var report = ErrorReporter.Describe(e, context.Token?.Path ?? SafeTokenPath(context));
            host.Stderr.WriteLine(report.Line);
            foreach (var line in report.Details) host.Stderr.WriteLine(line);
            if (host.GetEnv("KINLET_DEBUG") is not null) host.Stderr.WriteLine(e.ToString());
            return report.ExitCode;
        }
        finally
        {
            await host.Stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await host.Stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One client for the daemon and for <c>invoke</c>: never a proxy (the daemon is on loopback and an
    /// HTTP_PROXY would swallow *.localhost), no redirects or decompression (invoke shows what came back).
    /// </summary>
    internal static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            // Each call sets its own limit; waiting verbs and invoke run as long as they need.
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static string? SafeTokenPath(CliContext context)
    {
        try { return context.FindToken().Path; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>System.CommandLine lists allowed values on separate lines; errors here are one line.</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    private static string CommandPath(CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as CommandResult)
            names.Add(r.Parent is null ? "kinlet" : r.Command.Name);
        names.Reverse();
        return names.Count == 0 ? "kinlet" : string.Join(' ', names);
    }
}
