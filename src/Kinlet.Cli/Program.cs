using System.Collections;
using Kinlet.Cli;

var env = new Dictionary<string, string?>(StringComparer.Ordinal);
foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
    env[(string)e.Key] = e.Value as string;

var host = new CliHost(Console.Out, Console.Error, env)
{
    Stdin = Console.In,
    StdoutStream = Console.OpenStandardOutput(),
    StderrIsTerminal = !Console.IsErrorRedirected,
    StdoutIsTerminal = !Console.IsOutputRedirected,
    TerminalWidth = Console.IsOutputRedirected ? null : SafeWidth(),
    IsRoot = Environment.IsPrivilegedProcess,
    HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
    HandleSignals = true,
};
return await CliApp.RunAsync(args, host, CancellationToken.None);

static int? SafeWidth()
{
    try { return Console.WindowWidth > 0 ? Console.WindowWidth : null; }
    catch (IOException) { return null; }
}
