using System.CommandLine;
using Kinlet.Cli.Api;
using Kinlet.Cli.Output;
using Kinlet.Cli.Waiting;

namespace Kinlet.Cli.Commands;

/// <summary>
/// What verbs share for one run: the host edges, the one HttpClient, and the global options.
/// Verbs ask it for an <see cref="ApiClient"/>, an <see cref="OutputWriter"/> and a <see cref="ServiceWaiter"/>.
/// </summary>
internal sealed class CliContext(CliHost host, HttpClient http, GlobalOptions globals)
{
    private TokenInfo? token;

    public CliHost Host { get; } = host;
    public HttpClient Http { get; } = http;
    public GlobalOptions Globals { get; } = globals;

    /// <summary>The token in use, once a verb asked for the API; the 401 line names its file.</summary>
    public TokenInfo? Token => token;

    public string Namespace(ParseResult r) => r.GetValue(Globals.Namespace) is { Length: > 0 } ns ? ns : Core.Model.KnativeApi.DefaultNamespace;

    public Uri ApiUrl(ParseResult r)
    {
        var text = r.GetValue(Globals.Api) ?? Host.GetEnv(GlobalOptions.ApiEnv) ?? GlobalOptions.DefaultApi;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw CliException.Usage($"--api: '{text}' is not an http:// or https:// URL");
        return uri;
    }

    public TokenInfo FindToken() =>
        token ??= TokenLocator.Find(Host.Env, Host.IsRoot, Host.HomeDirectory, Host.SystemStateDir, RealTokenFiles.Instance);

    public ApiClient Api(ParseResult r) =>
        new(Http, ApiUrl(r), FindToken(), warning => Host.Stderr.WriteLine($"Warning: {warning}"));

    public OutputWriter Output(ParseResult r, Option<string?>? output) =>
        new(Host.Stdout, Host.Stderr, output is null ? OutputFormat.Human : OutputFormats.Parse(r.GetValue(output)), Host.TerminalWidth);

    public IProgressDisplay Progress() => ProgressDisplays.For(Host);

    public ServiceWaiter Waiter(ApiClient api) => new(api, Progress(), Host.Time, Host.PollInterval);

    public DateTimeOffset Now => Host.Time.GetUtcNow();
}
